// SPDX-License-Identifier: LGPL-2.1-or-later
// Cancellable: a JS handle on a GCancellable. g_cancellable_cancel is thread-safe, so the JS thread
// may cancel while a worker runs; workers hold their own reference, so GC cannot free it under them.
#include "common.h"

namespace cairn {

class Cancellable : public Napi::ObjectWrap<Cancellable> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Cancellable",
                       {InstanceMethod<&Cancellable::Cancel>("cancel"),
                        InstanceAccessor<&Cancellable::Cancelled>("cancelled")});
  }
  explicit Cancellable(const Napi::CallbackInfo &info)
      : Napi::ObjectWrap<Cancellable>(info), cancellable_(g_cancellable_new()) {}
  ~Cancellable() override { g_object_unref(cancellable_); }

  GCancellable *Ref() const { return static_cast<GCancellable *>(g_object_ref(cancellable_)); }

 private:
  Napi::Value Cancel(const Napi::CallbackInfo &info) {
    g_cancellable_cancel(cancellable_);
    return info.Env().Undefined();
  }
  Napi::Value Cancelled(const Napi::CallbackInfo &info) {
    return Napi::Boolean::New(info.Env(), g_cancellable_is_cancelled(cancellable_));
  }

  GCancellable *cancellable_;
};

Napi::Function InitCancellable(Napi::Env env) { return Cancellable::Init(env); }

GCancellable *CancellableArg(const Napi::CallbackInfo &info, size_t index) {
  Napi::Value value = info[index];
  if (value.IsNull() || value.IsUndefined()) return nullptr;
  Napi::FunctionReference &ctor = Data(info.Env()).cancellableClass;
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(ctor.Value())) {
    throw Napi::TypeError::New(info.Env(), "Expected cancellable to be a Cancellable or null");
  }
  return Cancellable::Unwrap(value.As<Napi::Object>())->Ref();
}

}  // namespace cairn
