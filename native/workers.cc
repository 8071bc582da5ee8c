// SPDX-License-Identifier: LGPL-2.1-or-later
#include "workers.h"

namespace cairn {

PromiseWorker::PromiseWorker(Napi::Env env, const char *name)
    : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)) {}

PromiseWorker::~PromiseWorker() { g_clear_error(&error_); }

Napi::Promise PromiseWorker::Start() {
  Napi::Promise promise = deferred_.Promise();
  Queue();
  return promise;
}

Napi::Value PromiseWorker::Result(Napi::Env env) { return env.Undefined(); }

void PromiseWorker::Execute() {
  if (!Run(&error_) && error_ == nullptr) {
    g_set_error_literal(&error_, G_IO_ERROR, G_IO_ERROR_FAILED, "operation failed without an error");
  }
}

void PromiseWorker::OnOK() {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  if (error_ != nullptr) {
    deferred_.Reject(ErrorFromGError(env, error_).Value());
    return;
  }
  try {
    deferred_.Resolve(Result(env));
  } catch (const Napi::Error &e) {
    deferred_.Reject(e.Value());
  }
}

void PromiseWorker::OnError(const Napi::Error &error) { deferred_.Reject(error.Value()); }

}  // namespace cairn
