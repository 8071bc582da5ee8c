// SPDX-License-Identifier: LGPL-2.1-or-later
// GError -> JS error: an instance of the JS OstreeError class (set once by setErrorClass) carrying
// the GLib domain, a stable symbolic code and the numeric code.
#include "common.h"

namespace cairn {

// Domains whose enum has no GType: names in value order.
static const char *const kFileErrorNames[] = {
    "G_FILE_ERROR_EXIST",  "G_FILE_ERROR_ISDIR", "G_FILE_ERROR_ACCES",    "G_FILE_ERROR_NAMETOOLONG",
    "G_FILE_ERROR_NOENT",  "G_FILE_ERROR_NOTDIR", "G_FILE_ERROR_NXIO",    "G_FILE_ERROR_NODEV",
    "G_FILE_ERROR_ROFS",   "G_FILE_ERROR_TXTBSY", "G_FILE_ERROR_FAULT",   "G_FILE_ERROR_LOOP",
    "G_FILE_ERROR_NOSPC",  "G_FILE_ERROR_NOMEM",  "G_FILE_ERROR_MFILE",   "G_FILE_ERROR_NFILE",
    "G_FILE_ERROR_BADF",   "G_FILE_ERROR_INVAL",  "G_FILE_ERROR_PIPE",    "G_FILE_ERROR_AGAIN",
    "G_FILE_ERROR_INTR",   "G_FILE_ERROR_IO",     "G_FILE_ERROR_PERM",    "G_FILE_ERROR_NOSYS",
    "G_FILE_ERROR_FAILED",
};
static const char *const kKeyFileErrorNames[] = {
    "G_KEY_FILE_ERROR_UNKNOWN_ENCODING", "G_KEY_FILE_ERROR_PARSE",         "G_KEY_FILE_ERROR_NOT_FOUND",
    "G_KEY_FILE_ERROR_KEY_NOT_FOUND",    "G_KEY_FILE_ERROR_GROUP_NOT_FOUND", "G_KEY_FILE_ERROR_INVALID_VALUE",
};
static const char *const kGpgErrorNames[] = {
    "OSTREE_GPG_ERROR_NO_SIGNATURE",      "OSTREE_GPG_ERROR_INVALID_SIGNATURE", "OSTREE_GPG_ERROR_MISSING_KEY",
    "OSTREE_GPG_ERROR_EXPIRED_SIGNATURE", "OSTREE_GPG_ERROR_EXPIRED_KEY",       "OSTREE_GPG_ERROR_REVOKED_KEY",
};

template <size_t N>
static std::string FromTable(const char *const (&names)[N], int code) {
  return code >= 0 && static_cast<size_t>(code) < N ? names[code] : std::string();
}

static std::string FromEnumType(GType type, int code) {
  auto *klass = static_cast<GEnumClass *>(g_type_class_ref(type));
  GEnumValue *value = g_enum_get_value(klass, code);
  std::string name = value != nullptr ? value->value_name : "";
  g_type_class_unref(klass);
  return name;
}

static std::string SymbolicCode(const GError *error) {
  std::string name;
  if (error->domain == G_IO_ERROR) {
    name = FromEnumType(G_TYPE_IO_ERROR_ENUM, error->code);
  } else if (error->domain == G_RESOLVER_ERROR) {
    name = FromEnumType(G_TYPE_RESOLVER_ERROR, error->code);
  } else if (error->domain == G_FILE_ERROR) {
    name = FromTable(kFileErrorNames, error->code);
  } else if (error->domain == G_KEY_FILE_ERROR) {
    name = FromTable(kKeyFileErrorNames, error->code);
  } else if (error->domain == OSTREE_GPG_ERROR) {
    name = FromTable(kGpgErrorNames, error->code);
  }
  if (name.empty()) {
    name = std::string("UNKNOWN_") + g_quark_to_string(error->domain) + "_" + std::to_string(error->code);
  }
  return name;
}

Napi::Value SetErrorClass(const Napi::CallbackInfo &info) {
  if (!info[0].IsFunction()) throw Napi::TypeError::New(info.Env(), "Expected ctor to be a function");
  Data(info.Env()).errorClass = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Error ErrorFromGError(Napi::Env env, const GError *error) {
  std::string domain = g_quark_to_string(error->domain);
  std::string code = SymbolicCode(error);
  Napi::FunctionReference &ctor = Data(env).errorClass;
  if (ctor.IsEmpty()) {
    Napi::Error plain = Napi::Error::New(env, error->message);
    plain.Set("domain", Napi::String::New(env, domain));
    plain.Set("code", Napi::String::New(env, code));
    plain.Set("gcode", Napi::Number::New(env, error->code));
    return plain;
  }
  Napi::Object instance = ctor.New({Napi::String::New(env, error->message), Napi::String::New(env, domain),
                                    Napi::String::New(env, code), Napi::Number::New(env, error->code)});
  return Napi::Error(env, instance);
}

void ThrowGError(Napi::Env env, GError *error) {
  Napi::Error js = ErrorFromGError(env, error);
  g_error_free(error);
  throw js;
}

}  // namespace cairn
