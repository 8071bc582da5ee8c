// SPDX-License-Identifier: LGPL-2.1-or-later
// Remote summaries: fetch (off the JS thread) and parse OSTREE_SUMMARY_GVARIANT_STRING,
// (a(s(taya{sv}))a{sv}): per ref its commit size, checksum and metadata, then summary metadata.
#include "common.h"
#include "workers.h"

namespace cairn {

static Napi::Buffer<uint8_t> BytesToBuffer(Napi::Env env, GBytes *bytes) {
  gsize size = 0;
  const void *data = g_bytes_get_data(bytes, &size);
  return Napi::Buffer<uint8_t>::Copy(env, static_cast<const uint8_t *>(data), size);
}

Napi::Object SummaryToJs(Napi::Env env, GBytes *summary_bytes, GBytes *signatures) {
  g_autoptr(GVariant) summary =
      g_variant_ref_sink(g_variant_new_from_bytes(OSTREE_SUMMARY_GVARIANT_FORMAT, summary_bytes, FALSE));
  g_autoptr(GVariant) refs = g_variant_get_child_value(summary, 0);
  g_autoptr(GVariant) metadata = g_variant_get_child_value(summary, 1);

  Napi::Object js_refs = Napi::Object::New(env);
  gsize n = g_variant_n_children(refs);
  for (gsize i = 0; i < n; i++) {
    const char *name = nullptr;
    guint64 commit_size = 0;
    g_autoptr(GVariant) checksum = nullptr;
    g_autoptr(GVariant) ref_metadata = nullptr;
    g_variant_get_child(refs, i, "(&s(t@ay@a{sv}))", &name, &commit_size, &checksum, &ref_metadata);
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("checksum", ChecksumFromBytesVariant(env, checksum));
    entry.Set("commitSize", Napi::BigInt::New(env, static_cast<uint64_t>(commit_size)));
    entry.Set("metadata", VardictToJs(env, ref_metadata));
    js_refs.DefineProperty(Napi::PropertyDescriptor::Value(Napi::String::New(env, name), entry, napi_default_jsproperty));
  }

  Napi::Object result = Napi::Object::New(env);
  result.Set("refs", js_refs);
  result.Set("metadata", VardictToJs(env, metadata));
  result.Set("raw", BytesToBuffer(env, summary_bytes));
  result.Set("signature", signatures != nullptr ? BytesToBuffer(env, signatures) : env.Null());
  return result;
}

class FetchSummaryWorker : public PromiseWorker {
 public:
  FetchSummaryWorker(Napi::Env env, OstreeRepo *repo, const std::string &remote, GCancellable *cancellable)
      : PromiseWorker(env, "cairn:fetchSummary"),
        repo_(static_cast<OstreeRepo *>(g_object_ref(repo))),
        remote_(remote),
        cancellable_(cancellable) {}
  ~FetchSummaryWorker() override {
    g_object_unref(repo_);
    g_clear_object(&cancellable_);
    g_clear_pointer(&summary_, g_bytes_unref);
    g_clear_pointer(&signatures_, g_bytes_unref);
  }

 protected:
  gboolean Run(GError **error) override {
    ThreadContextGuard context;
    return ostree_repo_remote_fetch_summary_with_options(repo_, remote_.c_str(), nullptr, &summary_, &signatures_,
                                                         cancellable_, error);
  }
  Napi::Value Result(Napi::Env env) override {
    if (summary_ == nullptr) throw Napi::Error::New(env, "Remote " + remote_ + " has no summary");
    return SummaryToJs(env, summary_, signatures_);
  }

 private:
  OstreeRepo *repo_;
  std::string remote_;
  GCancellable *cancellable_;
  GBytes *summary_ = nullptr;
  GBytes *signatures_ = nullptr;
};

Napi::Promise FetchSummary(Napi::Env env, OstreeRepo *repo, const std::string &remote, GCancellable *cancellable) {
  return (new FetchSummaryWorker(env, repo, remote, cancellable))->Start();
}

}  // namespace cairn
