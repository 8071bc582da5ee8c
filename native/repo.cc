// SPDX-License-Identifier: LGPL-2.1-or-later
// Repo: a JS handle on an OstreeRepo. Local reads are synchronous; network work (pull, summary)
// runs in workers that hold their own reference to the repo.
#include "common.h"

namespace cairn {

static const struct {
  OstreeRepoMode mode;
  const char *name;
} kModes[] = {
    {OSTREE_REPO_MODE_ARCHIVE, "archive"},
    {OSTREE_REPO_MODE_BARE, "bare"},
    {OSTREE_REPO_MODE_BARE_USER, "bare-user"},
    {OSTREE_REPO_MODE_BARE_USER_ONLY, "bare-user-only"},
    {OSTREE_REPO_MODE_BARE_SPLIT_XATTRS, "bare-split-xattrs"},
};

static std::string ValidChecksumArg(const Napi::CallbackInfo &info, size_t index, const char *name) {
  std::string checksum = StringArg(info, index, name);
  if (!ostree_validate_checksum_string(checksum.c_str(), nullptr)) {
    throw Napi::TypeError::New(info.Env(), std::string("Expected ") + name + " to be a 64-hex checksum");
  }
  return checksum;
}

class Repo : public Napi::ObjectWrap<Repo> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Repo",
                       {
                           InstanceAccessor<&Repo::Path>("path"),
                           InstanceMethod<&Repo::Mode>("mode"),
                           InstanceMethod<&Repo::RemoteAdd>("remoteAdd"),
                           InstanceMethod<&Repo::RemoteDelete>("remoteDelete"),
                           InstanceMethod<&Repo::RemoteList>("remoteList"),
                           InstanceMethod<&Repo::RemoteGetUrl>("remoteGetUrl"),
                           InstanceMethod<&Repo::RemoteGetOption>("remoteGetOption"),
                           InstanceMethod<&Repo::RemoteGetBooleanOption>("remoteGetBooleanOption"),
                           InstanceMethod<&Repo::RemoteGpgImport>("remoteGpgImport"),
                           InstanceMethod<&Repo::ListRefs>("listRefs"),
                           InstanceMethod<&Repo::ResolveRev>("resolveRev"),
                           InstanceMethod<&Repo::SetRef>("setRef"),
                           InstanceMethod<&Repo::LoadCommit>("loadCommit"),
                           InstanceMethod<&Repo::HasObject>("hasObject"),
                           InstanceMethod<&Repo::CommitSizes>("commitSizes"),
                           InstanceMethod<&Repo::ParseDeltaSuperblock>("parseDeltaSuperblock"),
                           InstanceMethod<&Repo::LocalDelta>("localDelta"),
                           InstanceMethod<&Repo::FetchSummary>("fetchSummary"),
                           InstanceMethod<&Repo::Pull>("pull"),
                       });
  }

  // Only native code constructs a Repo, passing the OstreeRepo as an External.
  explicit Repo(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Repo>(info) {
    if (!info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "Repo objects come from repoOpen/repoCreate");
    repo_ = static_cast<OstreeRepo *>(g_object_ref(info[0].As<Napi::External<OstreeRepo>>().Data()));
  }
  ~Repo() override { g_object_unref(repo_); }

 private:
  Napi::Value Path(const Napi::CallbackInfo &info) {
    return Napi::String::New(info.Env(), g_file_peek_path(ostree_repo_get_path(repo_)));
  }

  Napi::Value Mode(const Napi::CallbackInfo &info) {
    OstreeRepoMode mode = ostree_repo_get_mode(repo_);
    for (const auto &entry : kModes) {
      if (entry.mode == mode) return Napi::String::New(info.Env(), entry.name);
    }
    throw Napi::Error::New(info.Env(), "Unknown repo mode " + std::to_string(mode));
  }

  Napi::Value RemoteAdd(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    std::string name = StringArg(info, 0, "name");
    std::string url = StringArg(info, 1, "url");
    if (!info[2].IsObject()) throw Napi::TypeError::New(env, "Expected options to be an object");
    Napi::Object options = info[2].As<Napi::Object>();
    g_auto(GVariantBuilder) builder;
    g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
    Napi::Array keys = options.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); i++) {
      std::string key = keys.Get(i).As<Napi::String>().Utf8Value();
      Napi::Value value = options.Get(key);
      // The ostree CLI stores every option as a string, booleans as "true"/"false".
      std::string text;
      if (value.IsBoolean()) {
        text = value.As<Napi::Boolean>().Value() ? "true" : "false";
      } else if (value.IsString()) {
        text = value.As<Napi::String>().Utf8Value();
      } else {
        throw Napi::TypeError::New(env, "Expected option " + key + " to be a string or a boolean");
      }
      g_variant_builder_add(&builder, "{sv}", key.c_str(), g_variant_new_string(text.c_str()));
    }
    g_autoptr(GVariant) vardict = g_variant_ref_sink(g_variant_builder_end(&builder));
    GError *error = nullptr;
    if (!ostree_repo_remote_add(repo_, name.c_str(), url.c_str(), vardict, nullptr, &error)) ThrowGError(env, error);
    return env.Undefined();
  }

  Napi::Value RemoteDelete(const Napi::CallbackInfo &info) {
    std::string name = StringArg(info, 0, "name");
    GError *error = nullptr;
    if (!ostree_repo_remote_delete(repo_, name.c_str(), nullptr, &error)) ThrowGError(info.Env(), error);
    return info.Env().Undefined();
  }

  Napi::Value RemoteList(const Napi::CallbackInfo &info) {
    guint n = 0;
    g_auto(GStrv) names = ostree_repo_remote_list(repo_, &n);
    Napi::Array result = Napi::Array::New(info.Env(), n);
    for (guint i = 0; i < n; i++) result.Set(i, names[i]);
    return result;
  }

  Napi::Value RemoteGetUrl(const Napi::CallbackInfo &info) {
    std::string name = StringArg(info, 0, "name");
    g_autofree char *url = nullptr;
    GError *error = nullptr;
    if (!ostree_repo_remote_get_url(repo_, name.c_str(), &url, &error)) ThrowGError(info.Env(), error);
    return Napi::String::New(info.Env(), url);
  }

  Napi::Value RemoteGetOption(const Napi::CallbackInfo &info) {
    std::string name = StringArg(info, 0, "name");
    std::string key = StringArg(info, 1, "key");
    std::string fallback;
    bool has_fallback = OptionalStringArg(info, 2, "fallback", &fallback);
    g_autofree char *value = nullptr;
    GError *error = nullptr;
    if (!ostree_repo_get_remote_option(repo_, name.c_str(), key.c_str(), has_fallback ? fallback.c_str() : nullptr,
                                       &value, &error)) {
      ThrowGError(info.Env(), error);
    }
    return value != nullptr ? Napi::String::New(info.Env(), value) : info.Env().Null();
  }

  Napi::Value RemoteGetBooleanOption(const Napi::CallbackInfo &info) {
    std::string name = StringArg(info, 0, "name");
    std::string key = StringArg(info, 1, "key");
    bool fallback = BoolArg(info, 2, "fallback");
    gboolean value = FALSE;
    GError *error = nullptr;
    if (!ostree_repo_get_remote_boolean_option(repo_, name.c_str(), key.c_str(), fallback, &value, &error)) {
      ThrowGError(info.Env(), error);
    }
    return Napi::Boolean::New(info.Env(), value);
  }

  Napi::Value RemoteGpgImport(const Napi::CallbackInfo &info) {
    std::string name = StringArg(info, 0, "name");
    std::string keyring = StringArg(info, 1, "keyringPath");
    g_autoptr(GFile) file = g_file_new_for_path(keyring.c_str());
    GError *error = nullptr;
    g_autoptr(GFileInputStream) stream = g_file_read(file, nullptr, &error);
    if (stream == nullptr) ThrowGError(info.Env(), error);
    guint imported = 0;
    if (!ostree_repo_remote_gpg_import(repo_, name.c_str(), G_INPUT_STREAM(stream), nullptr, &imported, nullptr,
                                       &error)) {
      ThrowGError(info.Env(), error);
    }
    return Napi::Number::New(info.Env(), imported);
  }

  Napi::Value ListRefs(const Napi::CallbackInfo &info) {
    std::string prefix;
    bool has_prefix = OptionalStringArg(info, 0, "prefix", &prefix);
    g_autoptr(GHashTable) refs = nullptr;
    GError *error = nullptr;
    if (!ostree_repo_list_refs_ext(repo_, has_prefix ? prefix.c_str() : nullptr, &refs,
                                   OSTREE_REPO_LIST_REFS_EXT_NONE, nullptr, &error)) {
      ThrowGError(info.Env(), error);
    }
    Napi::Object result = Napi::Object::New(info.Env());
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init(&iter, refs);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
      result.DefineProperty(Napi::PropertyDescriptor::Value(
          Napi::String::New(info.Env(), static_cast<const char *>(key)),
          Napi::String::New(info.Env(), static_cast<const char *>(value)), napi_default_jsproperty));
    }
    return result;
  }

  Napi::Value ResolveRev(const Napi::CallbackInfo &info) {
    std::string refspec = StringArg(info, 0, "refspec");
    bool allow_noent = BoolArg(info, 1, "allowNoent");
    g_autofree char *checksum = nullptr;
    GError *error = nullptr;
    if (!ostree_repo_resolve_rev(repo_, refspec.c_str(), allow_noent, &checksum, &error)) {
      ThrowGError(info.Env(), error);
    }
    return checksum != nullptr ? Napi::String::New(info.Env(), checksum) : info.Env().Null();
  }

  Napi::Value SetRef(const Napi::CallbackInfo &info) {
    std::string remote, checksum;
    bool has_remote = OptionalStringArg(info, 0, "remote", &remote);
    std::string ref = StringArg(info, 1, "ref");
    bool has_checksum = !info[2].IsNull() && !info[2].IsUndefined();
    if (has_checksum) checksum = ValidChecksumArg(info, 2, "checksum");
    GError *error = nullptr;
    if (!ostree_repo_set_ref_immediate(repo_, has_remote ? remote.c_str() : nullptr, ref.c_str(),
                                       has_checksum ? checksum.c_str() : nullptr, nullptr, &error)) {
      ThrowGError(info.Env(), error);
    }
    return info.Env().Undefined();
  }

  GVariant *LoadCommitVariant(Napi::Env env, const std::string &checksum, OstreeRepoCommitState *state) {
    GVariant *commit = nullptr;
    GError *error = nullptr;
    if (!ostree_repo_load_commit(repo_, checksum.c_str(), &commit, state, &error)) ThrowGError(env, error);
    return commit;
  }

  Napi::Value LoadCommit(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    std::string checksum = ValidChecksumArg(info, 0, "checksum");
    OstreeRepoCommitState state = OSTREE_REPO_COMMIT_STATE_NORMAL;
    g_autoptr(GVariant) commit = LoadCommitVariant(env, checksum, &state);
    g_autoptr(GVariant) metadata = g_variant_get_child_value(commit, 0);
    g_autofree char *parent = ostree_commit_get_parent(commit);
    const char *subject = nullptr;
    const char *body = nullptr;
    g_autoptr(GVariant) contents = nullptr;
    g_autoptr(GVariant) dirmeta = nullptr;
    g_variant_get_child(commit, 3, "&s", &subject);
    g_variant_get_child(commit, 4, "&s", &body);
    g_variant_get_child(commit, 6, "@ay", &contents);
    g_variant_get_child(commit, 7, "@ay", &dirmeta);

    Napi::Object result = Napi::Object::New(env);
    result.Set("checksum", checksum);
    result.Set("subject", subject);
    result.Set("body", body);
    result.Set("timestamp", Napi::Number::New(env, static_cast<double>(ostree_commit_get_timestamp(commit))));
    result.Set("parent", parent != nullptr ? Napi::String::New(env, parent) : env.Null());
    result.Set("metadata", VardictToJs(env, metadata));
    result.Set("rootContentsChecksum", ChecksumFromBytesVariant(env, contents));
    result.Set("rootMetadataChecksum", ChecksumFromBytesVariant(env, dirmeta));
    result.Set("partial", Napi::Boolean::New(env, (state & OSTREE_REPO_COMMIT_STATE_PARTIAL) != 0));
    return result;
  }

  Napi::Value HasObject(const Napi::CallbackInfo &info) {
    OstreeObjectType type = ObjectTypeFromName(info.Env(), StringArg(info, 0, "objectType"));
    std::string checksum = ValidChecksumArg(info, 1, "checksum");
    gboolean present = FALSE;
    GError *error = nullptr;
    if (!ostree_repo_has_object(repo_, type, checksum.c_str(), &present, nullptr, &error)) {
      ThrowGError(info.Env(), error);
    }
    return Napi::Boolean::New(info.Env(), present);
  }

  Napi::Value CommitSizes(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    std::string checksum = ValidChecksumArg(info, 0, "checksum");
    g_autoptr(GVariant) commit = LoadCommitVariant(env, checksum, nullptr);
    g_autoptr(GVariant) metadata = g_variant_get_child_value(commit, 0);
    g_autoptr(GVariant) sizes = g_variant_lookup_value(metadata, "ostree.sizes", nullptr);
    if (sizes == nullptr) return Napi::Array::New(env, 0);
    g_autoptr(GPtrArray) entries = nullptr;
    GError *error = nullptr;
    if (!ostree_commit_get_object_sizes(commit, &entries, &error)) ThrowGError(env, error);
    Napi::Array result = Napi::Array::New(env, entries->len);
    for (guint i = 0; i < entries->len; i++) {
      auto *entry = static_cast<OstreeCommitSizesEntry *>(entries->pdata[i]);
      Napi::Object object = Napi::Object::New(env);
      object.Set("checksum", entry->checksum);
      object.Set("objectType", ObjectTypeName(entry->objtype));
      object.Set("archived", Napi::BigInt::New(env, static_cast<uint64_t>(entry->archived)));
      object.Set("unpacked", Napi::BigInt::New(env, static_cast<uint64_t>(entry->unpacked)));
      result.Set(i, object);
    }
    return result;
  }

  Napi::Value ParseDeltaSuperblock(const Napi::CallbackInfo &info) {
    if (!info[0].IsBuffer()) throw Napi::TypeError::New(info.Env(), "Expected bytes to be a Buffer");
    auto buffer = info[0].As<Napi::Buffer<uint8_t>>();
    g_autoptr(GBytes) bytes = g_bytes_new(buffer.Data(), buffer.Length());
    return DeltaSuperblockFromBytes(info.Env(), bytes);
  }

  Napi::Value LocalDelta(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    std::string from;
    if (!info[0].IsNull() && !info[0].IsUndefined()) from = ValidChecksumArg(info, 0, "from");
    std::string to = ValidChecksumArg(info, 1, "to");
    g_autofree char *path = g_build_filename(g_file_peek_path(ostree_repo_get_path(repo_)),
                                             DeltaSuperblockPath(from, to).c_str(), nullptr);
    g_autofree char *contents = nullptr;
    gsize length = 0;
    GError *error = nullptr;
    if (!g_file_get_contents(path, &contents, &length, &error)) {
      if (g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
        g_error_free(error);
        return env.Null();
      }
      ThrowGError(env, error);
    }
    g_autoptr(GBytes) bytes = g_bytes_new_take(g_steal_pointer(&contents), length);
    return DeltaSuperblockFromBytes(env, bytes);
  }

  Napi::Value FetchSummary(const Napi::CallbackInfo &info) {
    std::string remote = StringArg(info, 0, "remote");
    return cairn::FetchSummary(info.Env(), repo_, remote, CancellableArg(info, 1));
  }

  Napi::Value Pull(const Napi::CallbackInfo &info) { return StartPull(info, repo_); }

  OstreeRepo *repo_;
};

Napi::Function InitRepo(Napi::Env env) { return Repo::Init(env); }

Napi::Object WrapRepo(Napi::Env env, OstreeRepo *repo) {
  return Data(env).repoClass.New({Napi::External<OstreeRepo>::New(env, repo)});
}

Napi::Value RepoOpen(const Napi::CallbackInfo &info) {
  std::string path = StringArg(info, 0, "path");
  g_autoptr(GFile) file = g_file_new_for_path(path.c_str());
  g_autoptr(OstreeRepo) repo = ostree_repo_new(file);
  GError *error = nullptr;
  if (!ostree_repo_open(repo, nullptr, &error)) ThrowGError(info.Env(), error);
  return WrapRepo(info.Env(), repo);
}

Napi::Value RepoCreate(const Napi::CallbackInfo &info) {
  std::string path = StringArg(info, 0, "path");
  std::string mode_name = StringArg(info, 1, "mode");
  OstreeRepoMode mode;
  GError *error = nullptr;
  if (!ostree_repo_mode_from_string(mode_name.c_str(), &mode, &error)) ThrowGError(info.Env(), error);
  g_autoptr(GFile) file = g_file_new_for_path(path.c_str());
  g_autoptr(OstreeRepo) repo = ostree_repo_new(file);
  if (!ostree_repo_create(repo, mode, nullptr, &error)) ThrowGError(info.Env(), error);
  return WrapRepo(info.Env(), repo);
}

}  // namespace cairn
