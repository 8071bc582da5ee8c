// SPDX-License-Identifier: LGPL-2.1-or-later
// Module initialisation only: per-environment data, the log handler and the exported entry points.
#include "common.h"

namespace cairn {

AddonData &Data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto *data = new AddonData();
  env.SetInstanceData(data);
  InstallLogHandler();

  Napi::Function cancellable = InitCancellable(env);
  data->cancellableClass = Napi::Persistent(cancellable);
  data->repoClass = Napi::Persistent(InitRepo(env));
  data->sysrootClass = Napi::Persistent(InitSysroot(env));

  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass, "setErrorClass"));
  exports.Set("libostreeVersion", Napi::String::New(env, OSTREE_VERSION_S));
  exports.Set("Cancellable", cancellable);
  exports.Set("repoOpen", Napi::Function::New(env, RepoOpen, "repoOpen"));
  exports.Set("repoCreate", Napi::Function::New(env, RepoCreate, "repoCreate"));
  exports.Set("sysrootOpen", Napi::Function::New(env, SysrootOpen, "sysrootOpen"));
  exports.Set("drainLog", Napi::Function::New(env, DrainLog, "drainLog"));
  return exports;
}

}  // namespace cairn

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return cairn::Init(env, exports); }

NODE_API_MODULE(cairn_native, InitModule)
