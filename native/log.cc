// SPDX-License-Identifier: LGPL-2.1-or-later
// GLib log capture. The handler runs on whatever thread logs (often a pull worker), so it only queues
// under a mutex; drainLog() hands the queue to JS. JS is never called from a GLib callback.
#include "common.h"

#include <deque>
#include <mutex>

namespace cairn {

namespace {

struct LogEntry {
  std::string domain;
  std::string level;
  std::string message;
};

// Bounded so an undrained queue cannot grow without limit during a long pull.
constexpr size_t kMaxEntries = 1000;

std::mutex log_mutex;
std::deque<LogEntry> log_queue;
std::once_flag install_once;
bool keep_debug = false;

const char *LevelName(GLogLevelFlags level) {
  if (level & G_LOG_LEVEL_ERROR) return "error";
  if (level & G_LOG_LEVEL_CRITICAL) return "critical";
  if (level & G_LOG_LEVEL_WARNING) return "warning";
  if (level & G_LOG_LEVEL_MESSAGE) return "message";
  if (level & G_LOG_LEVEL_INFO) return "info";
  return "debug";
}

void Handler(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer /* user_data */) {
  if ((level & G_LOG_LEVEL_DEBUG) && !keep_debug) return;
  std::lock_guard<std::mutex> lock(log_mutex);
  if (log_queue.size() >= kMaxEntries) log_queue.pop_front();
  log_queue.push_back({domain != nullptr ? domain : "", LevelName(level), message != nullptr ? message : ""});
}

}  // namespace

void InstallLogHandler() {
  std::call_once(install_once, [] {
    // Debug messages are only kept when the user asked GLib for them.
    keep_debug = g_getenv("G_MESSAGES_DEBUG") != nullptr;
    g_log_set_default_handler(Handler, nullptr);
  });
}

Napi::Value DrainLog(const Napi::CallbackInfo &info) {
  std::deque<LogEntry> drained;
  {
    std::lock_guard<std::mutex> lock(log_mutex);
    drained.swap(log_queue);
  }
  Napi::Env env = info.Env();
  Napi::Array result = Napi::Array::New(env, drained.size());
  uint32_t i = 0;
  for (const LogEntry &entry : drained) {
    Napi::Object object = Napi::Object::New(env);
    object.Set("domain", entry.domain);
    object.Set("level", entry.level);
    object.Set("message", entry.message);
    result.Set(i++, object);
  }
  return result;
}

}  // namespace cairn
