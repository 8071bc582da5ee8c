// SPDX-License-Identifier: LGPL-2.1-or-later
// Declarations shared by the addon's source files. Each .cc file owns one area; this header is the
// only place they meet.
#pragma once

#include <napi.h>
#include <ostree.h>

#include <string>
#include <vector>

namespace cairn {

// Per-environment state, created in addon.cc and reachable through Data(env).
struct AddonData {
  Napi::FunctionReference errorClass;
  Napi::FunctionReference repoClass;
  Napi::FunctionReference sysrootClass;
  Napi::FunctionReference cancellableClass;
};
AddonData &Data(Napi::Env env);

// args.cc: argument checks that throw a TypeError naming the parameter.
std::string StringArg(const Napi::CallbackInfo &info, size_t index, const char *name);
// Returns true and sets *out when the argument is a string; false when null or undefined.
bool OptionalStringArg(const Napi::CallbackInfo &info, size_t index, const char *name, std::string *out);
bool BoolArg(const Napi::CallbackInfo &info, size_t index, const char *name);
int64_t IntArg(const Napi::CallbackInfo &info, size_t index, const char *name);

// gerror.cc: GError -> JS error (an instance of the class passed to setErrorClass).
Napi::Value SetErrorClass(const Napi::CallbackInfo &info);
Napi::Error ErrorFromGError(Napi::Env env, const GError *error);
// Converts and throws; frees the error.
[[noreturn]] void ThrowGError(Napi::Env env, GError *error);

// variant.cc: GVariant -> plain JS with exact types.
Napi::Value VariantToJs(Napi::Env env, GVariant *value);
Napi::Object VardictToJs(Napi::Env env, GVariant *dict);

// cancellable.cc
Napi::Function InitCancellable(Napi::Env env);
// A new reference to the GCancellable behind a JS Cancellable, or nullptr for null/undefined.
GCancellable *CancellableArg(const Napi::CallbackInfo &info, size_t index);

// log.cc
void InstallLogHandler();
Napi::Value DrainLog(const Napi::CallbackInfo &info);

// objects.cc: object types and checksums.
const char *ObjectTypeName(OstreeObjectType type);
OstreeObjectType ObjectTypeFromName(Napi::Env env, const std::string &name);
// Checksum string of a 32-byte `ay` variant, or "" when it is empty; throws on a bad length.
std::string ChecksumFromBytesVariant(Napi::Env env, GVariant *bytes);

// repo.cc
Napi::Function InitRepo(Napi::Env env);
Napi::Object WrapRepo(Napi::Env env, OstreeRepo *repo);
Napi::Value RepoOpen(const Napi::CallbackInfo &info);
Napi::Value RepoCreate(const Napi::CallbackInfo &info);

// summary.cc
Napi::Object SummaryToJs(Napi::Env env, GBytes *summary, GBytes *signatures);
Napi::Promise FetchSummary(Napi::Env env, OstreeRepo *repo, const std::string &remote,
                           GCancellable *cancellable);

// delta.cc
Napi::Object DeltaSuperblockFromBytes(Napi::Env env, GBytes *bytes);
// Relative path `deltas/…/superblock` of a static delta (from may be empty: from-scratch delta).
std::string DeltaSuperblockPath(const std::string &from, const std::string &to);

// pull.cc
Napi::Promise StartPull(const Napi::CallbackInfo &info, OstreeRepo *repo);

// sysroot.cc
Napi::Function InitSysroot(Napi::Env env);
Napi::Value SysrootOpen(const Napi::CallbackInfo &info);

}  // namespace cairn
