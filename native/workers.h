// SPDX-License-Identifier: LGPL-2.1-or-later
// Base class for blocking libostree calls run off the JS thread. Subclasses copy their JS inputs in
// the constructor (JS thread), do the GLib work in Run() (worker thread, no Napi:: there), and build
// the JS result in Result() (JS thread). The worker owns the promise it settles.
#pragma once

#include "common.h"

namespace cairn {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, const char *name);
  ~PromiseWorker() override;
  // Queues the worker and returns its promise.
  Napi::Promise Start();

 protected:
  // Worker thread. Return FALSE with *error set on failure.
  virtual gboolean Run(GError **error) = 0;
  // JS thread, after a successful Run().
  virtual Napi::Value Result(Napi::Env env);

 private:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error &error) override;

  Napi::Promise::Deferred deferred_;
  GError *error_ = nullptr;
};

// Pushes a fresh GMainContext as the thread default for the lifetime of the guard: libostree's
// fetcher iterates the thread-default context, and worker threads must never share one.
class ThreadContextGuard {
 public:
  ThreadContextGuard() : context_(g_main_context_new()) { g_main_context_push_thread_default(context_); }
  ~ThreadContextGuard() {
    g_main_context_pop_thread_default(context_);
    g_main_context_unref(context_);
  }
  ThreadContextGuard(const ThreadContextGuard &) = delete;
  ThreadContextGuard &operator=(const ThreadContextGuard &) = delete;

 private:
  GMainContext *context_;
};

}  // namespace cairn
