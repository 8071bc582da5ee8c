// SPDX-License-Identifier: LGPL-2.1-or-later
// Pull: ostree_repo_pull_with_options on a worker thread, with its own thread-default main context.
// OstreeAsyncProgress emits "changed" on that context while libostree iterates it; each emission
// reads every counter into a POD snapshot and sends it to JS, at most once per progress interval,
// plus one final snapshot after the pull ends.
#include "common.h"
#include "workers.h"

#include <utility>

namespace cairn {

namespace {

struct ProgressSnapshot {
  guint64 bytes_transferred;
  guint fetched;
  guint requested;
  guint metadata_fetched;
  guint outstanding_metadata_fetches;
  guint outstanding_fetches;
  guint outstanding_writes;
  guint scanned_metadata;
  guint fetched_delta_parts;
  guint total_delta_parts;
  guint fetched_delta_fallbacks;
  guint total_delta_fallbacks;
  guint64 fetched_delta_part_size;
  guint64 total_delta_part_size;
  guint64 total_delta_part_usize;
  guint total_delta_superblocks;
  guint metadata_fetched_localcache;
  guint content_fetched_localcache;
  guint64 start_time;
  gboolean caught_error;
  gboolean scanning;
  char status[256];
};

// Reads one counter whatever its integer or boolean type; a key libostree has not set reads as 0.
guint64 ReadCounter(OstreeAsyncProgress *progress, const char *key) {
  g_autoptr(GVariant) value = ostree_async_progress_get_variant(progress, key);
  if (value == nullptr) return 0;
  switch (g_variant_classify(value)) {
    case G_VARIANT_CLASS_BOOLEAN:
      return g_variant_get_boolean(value) ? 1 : 0;
    case G_VARIANT_CLASS_BYTE:
      return g_variant_get_byte(value);
    case G_VARIANT_CLASS_UINT32:
      return g_variant_get_uint32(value);
    case G_VARIANT_CLASS_INT32:
      return static_cast<guint64>(MAX(g_variant_get_int32(value), 0));
    case G_VARIANT_CLASS_UINT64:
      return g_variant_get_uint64(value);
    default:
      return 0;
  }
}

ProgressSnapshot TakeSnapshot(OstreeAsyncProgress *progress) {
  ProgressSnapshot s{};
  auto u = [progress](const char *key) { return static_cast<guint>(ReadCounter(progress, key)); };
  s.bytes_transferred = ReadCounter(progress, "bytes-transferred");
  s.fetched = u("fetched");
  s.requested = u("requested");
  s.metadata_fetched = u("metadata-fetched");
  s.outstanding_metadata_fetches = u("outstanding-metadata-fetches");
  s.outstanding_fetches = u("outstanding-fetches");
  s.outstanding_writes = u("outstanding-writes");
  s.scanned_metadata = u("scanned-metadata");
  s.fetched_delta_parts = u("fetched-delta-parts");
  s.total_delta_parts = u("total-delta-parts");
  s.fetched_delta_fallbacks = u("fetched-delta-fallbacks");
  s.total_delta_fallbacks = u("total-delta-fallbacks");
  s.fetched_delta_part_size = ReadCounter(progress, "fetched-delta-part-size");
  s.total_delta_part_size = ReadCounter(progress, "total-delta-part-size");
  s.total_delta_part_usize = ReadCounter(progress, "total-delta-part-usize");
  s.total_delta_superblocks = u("total-delta-superblocks");
  s.metadata_fetched_localcache = u("metadata-fetched-localcache");
  s.content_fetched_localcache = u("content-fetched-localcache");
  s.start_time = ReadCounter(progress, "start-time");
  s.caught_error = ReadCounter(progress, "caught-error") != 0;
  s.scanning = ReadCounter(progress, "scanning") != 0;
  g_autofree char *status = ostree_async_progress_get_status(progress);
  g_strlcpy(s.status, status != nullptr ? status : "", sizeof s.status);
  return s;
}

Napi::Object SnapshotToJs(Napi::Env env, const ProgressSnapshot &s) {
  Napi::Object o = Napi::Object::New(env);
  auto big = [env](guint64 v) { return Napi::BigInt::New(env, static_cast<uint64_t>(v)); };
  o.Set("bytesTransferred", big(s.bytes_transferred));
  o.Set("fetched", s.fetched);
  o.Set("requested", s.requested);
  o.Set("metadataFetched", s.metadata_fetched);
  o.Set("outstandingMetadataFetches", s.outstanding_metadata_fetches);
  o.Set("outstandingFetches", s.outstanding_fetches);
  o.Set("outstandingWrites", s.outstanding_writes);
  o.Set("scannedMetadata", s.scanned_metadata);
  o.Set("fetchedDeltaParts", s.fetched_delta_parts);
  o.Set("totalDeltaParts", s.total_delta_parts);
  o.Set("fetchedDeltaFallbacks", s.fetched_delta_fallbacks);
  o.Set("totalDeltaFallbacks", s.total_delta_fallbacks);
  o.Set("fetchedDeltaPartSize", big(s.fetched_delta_part_size));
  o.Set("totalDeltaPartSize", big(s.total_delta_part_size));
  o.Set("totalDeltaPartUsize", big(s.total_delta_part_usize));
  o.Set("totalDeltaSuperblocks", s.total_delta_superblocks);
  o.Set("metadataFetchedLocalcache", s.metadata_fetched_localcache);
  o.Set("contentFetchedLocalcache", s.content_fetched_localcache);
  o.Set("startTime", big(s.start_time));
  o.Set("status", s.status);
  o.Set("caughtError", Napi::Boolean::New(env, s.caught_error));
  o.Set("scanning", Napi::Boolean::New(env, s.scanning));
  return o;
}

// PullOptions copied out of JS on the main thread.
struct PullRequest {
  std::string remote;
  std::vector<std::string> refs;
  bool commit_only = false;
  bool has_depth = false;
  int depth = 0;
  bool disable_static_deltas = false;
  bool require_static_deltas = false;
  bool dry_run = false;
  bool has_retries = false;
  guint n_network_retries = 0;
  bool timestamp_check = false;
  std::string timestamp_check_from_rev;
  std::string override_url;
  std::vector<std::pair<std::string, std::string>> http_headers;
  gint64 interval_us = 100 * 1000;
};

bool OptionalBool(Napi::Object options, const char *key) {
  Napi::Value value = options.Get(key);
  if (value.IsUndefined() || value.IsNull()) return false;
  if (!value.IsBoolean()) throw Napi::TypeError::New(options.Env(), std::string("Expected ") + key + " to be a boolean");
  return value.As<Napi::Boolean>().Value();
}

bool OptionalInt(Napi::Object options, const char *key, int64_t *out) {
  Napi::Value value = options.Get(key);
  if (value.IsUndefined() || value.IsNull()) return false;
  if (!value.IsNumber()) throw Napi::TypeError::New(options.Env(), std::string("Expected ") + key + " to be a number");
  *out = value.As<Napi::Number>().Int64Value();
  return true;
}

std::string OptionalString(Napi::Object options, const char *key) {
  Napi::Value value = options.Get(key);
  if (value.IsUndefined() || value.IsNull()) return "";
  if (!value.IsString()) throw Napi::TypeError::New(options.Env(), std::string("Expected ") + key + " to be a string");
  return value.As<Napi::String>().Utf8Value();
}

PullRequest ReadRequest(Napi::Env env, const std::string &remote, Napi::Object options) {
  PullRequest r;
  r.remote = remote;
  Napi::Value refs = options.Get("refs");
  if (!refs.IsArray()) throw Napi::TypeError::New(env, "Expected refs to be an array of strings");
  Napi::Array array = refs.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value ref = array.Get(i);
    if (!ref.IsString()) throw Napi::TypeError::New(env, "Expected refs to be an array of strings");
    r.refs.push_back(ref.As<Napi::String>().Utf8Value());
  }
  r.commit_only = OptionalBool(options, "commitMetadataOnly");
  int64_t number = 0;
  if ((r.has_depth = OptionalInt(options, "depth", &number))) r.depth = static_cast<int>(number);
  r.disable_static_deltas = OptionalBool(options, "disableStaticDeltas");
  r.require_static_deltas = OptionalBool(options, "requireStaticDeltas");
  r.dry_run = OptionalBool(options, "dryRun");
  if ((r.has_retries = OptionalInt(options, "nNetworkRetries", &number))) r.n_network_retries = static_cast<guint>(number);
  r.timestamp_check = OptionalBool(options, "timestampCheck");
  r.timestamp_check_from_rev = OptionalString(options, "timestampCheckFromRev");
  r.override_url = OptionalString(options, "overrideUrl");
  if (OptionalInt(options, "progressIntervalMs", &number)) r.interval_us = MAX(number, 0) * 1000;
  Napi::Value headers = options.Get("httpHeaders");
  if (headers.IsArray()) {
    Napi::Array list = headers.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); i++) {
      Napi::Value pair = list.Get(i);
      if (!pair.IsArray() || !pair.As<Napi::Array>().Get(0u).IsString() || !pair.As<Napi::Array>().Get(1u).IsString()) {
        throw Napi::TypeError::New(env, "Expected httpHeaders to be an array of [name, value] strings");
      }
      r.http_headers.emplace_back(pair.As<Napi::Array>().Get(0u).As<Napi::String>().Utf8Value(),
                                  pair.As<Napi::Array>().Get(1u).As<Napi::String>().Utf8Value());
    }
  } else if (!headers.IsUndefined() && !headers.IsNull()) {
    throw Napi::TypeError::New(env, "Expected httpHeaders to be an array of [name, value] strings");
  }
  return r;
}

GVariant *BuildOptions(const PullRequest &r) {
  g_auto(GVariantBuilder) builder;
  g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
  g_auto(GVariantBuilder) refs;
  g_variant_builder_init(&refs, G_VARIANT_TYPE_STRING_ARRAY);
  for (const std::string &ref : r.refs) g_variant_builder_add(&refs, "s", ref.c_str());
  g_variant_builder_add(&builder, "{sv}", "refs", g_variant_builder_end(&refs));
  int flags = r.commit_only ? OSTREE_REPO_PULL_FLAGS_COMMIT_ONLY : OSTREE_REPO_PULL_FLAGS_NONE;
  g_variant_builder_add(&builder, "{sv}", "flags", g_variant_new_int32(flags));
  if (r.has_depth) g_variant_builder_add(&builder, "{sv}", "depth", g_variant_new_int32(r.depth));
  if (r.disable_static_deltas) g_variant_builder_add(&builder, "{sv}", "disable-static-deltas", g_variant_new_boolean(TRUE));
  if (r.require_static_deltas) g_variant_builder_add(&builder, "{sv}", "require-static-deltas", g_variant_new_boolean(TRUE));
  if (r.dry_run) g_variant_builder_add(&builder, "{sv}", "dry-run", g_variant_new_boolean(TRUE));
  if (r.has_retries) {
    g_variant_builder_add(&builder, "{sv}", "n-network-retries", g_variant_new_uint32(r.n_network_retries));
  }
  if (r.timestamp_check) g_variant_builder_add(&builder, "{sv}", "timestamp-check", g_variant_new_boolean(TRUE));
  if (!r.timestamp_check_from_rev.empty()) {
    g_variant_builder_add(&builder, "{sv}", "timestamp-check-from-rev",
                          g_variant_new_string(r.timestamp_check_from_rev.c_str()));
  }
  if (!r.override_url.empty()) {
    g_variant_builder_add(&builder, "{sv}", "override-url", g_variant_new_string(r.override_url.c_str()));
  }
  if (!r.http_headers.empty()) {
    g_auto(GVariantBuilder) headers;
    g_variant_builder_init(&headers, G_VARIANT_TYPE("a(ss)"));
    for (const auto &header : r.http_headers) {
      g_variant_builder_add(&headers, "(ss)", header.first.c_str(), header.second.c_str());
    }
    g_variant_builder_add(&builder, "{sv}", "http-headers", g_variant_builder_end(&headers));
  }
  return g_variant_ref_sink(g_variant_builder_end(&builder));
}

class PullWorker : public Napi::AsyncProgressWorker<ProgressSnapshot> {
 public:
  PullWorker(Napi::Env env, OstreeRepo *repo, PullRequest request, Napi::Value on_progress, GCancellable *cancellable)
      : Napi::AsyncProgressWorker<ProgressSnapshot>(env, "cairn:pull"),
        deferred_(Napi::Promise::Deferred::New(env)),
        repo_(static_cast<OstreeRepo *>(g_object_ref(repo))),
        request_(std::move(request)),
        cancellable_(cancellable) {
    if (on_progress.IsFunction()) on_progress_ = Napi::Persistent(on_progress.As<Napi::Function>());
  }
  ~PullWorker() override {
    g_object_unref(repo_);
    g_clear_object(&cancellable_);
    g_clear_error(&error_);
  }

  Napi::Promise Start() {
    Napi::Promise promise = deferred_.Promise();
    Queue();
    return promise;
  }

 protected:
  void Execute(const ExecutionProgress &execution) override {
    ThreadContextGuard context;
    execution_ = &execution;
    g_autoptr(GVariant) options = BuildOptions(request_);
    g_autoptr(OstreeAsyncProgress) progress =
        on_progress_.IsEmpty() ? nullptr : ostree_async_progress_new_and_connect(OnChanged, this);
    ostree_repo_pull_with_options(repo_, request_.remote.c_str(), options, progress, cancellable_, &error_);
    if (progress != nullptr) {
      ostree_async_progress_finish(progress);
      ProgressSnapshot last = TakeSnapshot(progress);
      execution.Send(&last, 1);
    }
    execution_ = nullptr;
  }

  void OnProgress(const ProgressSnapshot *data, size_t count) override {
    if (count == 0 || on_progress_.IsEmpty()) return;
    Napi::HandleScope scope(Env());
    try {
      on_progress_.Call({SnapshotToJs(Env(), data[count - 1])});
    } catch (const Napi::Error &) {
      // The TypeScript wrapper never lets a user callback throw into here; nothing to report to.
    }
  }

  void OnOK() override {
    Napi::HandleScope scope(Env());
    if (error_ != nullptr) {
      deferred_.Reject(ErrorFromGError(Env(), error_).Value());
    } else {
      deferred_.Resolve(Env().Undefined());
    }
  }

  void OnError(const Napi::Error &error) override { deferred_.Reject(error.Value()); }

 private:
  // Runs on the worker thread, inside libostree's iteration of our context.
  static void OnChanged(OstreeAsyncProgress *progress, gpointer user_data) {
    auto *self = static_cast<PullWorker *>(user_data);
    gint64 now = g_get_monotonic_time();
    if (self->execution_ == nullptr || (self->last_sent_us_ != 0 && now - self->last_sent_us_ < self->request_.interval_us)) {
      return;
    }
    self->last_sent_us_ = now;
    ProgressSnapshot snapshot = TakeSnapshot(progress);
    self->execution_->Send(&snapshot, 1);
  }

  Napi::Promise::Deferred deferred_;
  OstreeRepo *repo_;
  PullRequest request_;
  GCancellable *cancellable_;
  Napi::FunctionReference on_progress_;
  const ExecutionProgress *execution_ = nullptr;
  gint64 last_sent_us_ = 0;
  GError *error_ = nullptr;
};

}  // namespace

// pull(remote, options, onProgress, cancellable)
Napi::Promise StartPull(const Napi::CallbackInfo &info, OstreeRepo *repo) {
  Napi::Env env = info.Env();
  std::string remote = StringArg(info, 0, "remote");
  if (!info[1].IsObject()) throw Napi::TypeError::New(env, "Expected options to be an object");
  PullRequest request = ReadRequest(env, remote, info[1].As<Napi::Object>());
  if (!info[2].IsFunction() && !info[2].IsNull() && !info[2].IsUndefined()) {
    throw Napi::TypeError::New(env, "Expected onProgress to be a function or null");
  }
  GCancellable *cancellable = CancellableArg(info, 3);
  return (new PullWorker(env, repo, std::move(request), info[2], cancellable))->Start();
}

}  // namespace cairn
