// SPDX-License-Identifier: LGPL-2.1-or-later
// Argument checks for the native entry points. The TypeScript wrapper validates first; these keep a
// wrong direct call from crashing the process.
#include "common.h"

namespace cairn {

static Napi::TypeError ArgError(Napi::Env env, const char *name, const char *expected) {
  return Napi::TypeError::New(env, std::string("Expected ") + name + " to be " + expected);
}

std::string StringArg(const Napi::CallbackInfo &info, size_t index, const char *name) {
  if (!info[index].IsString()) throw ArgError(info.Env(), name, "a string");
  return info[index].As<Napi::String>().Utf8Value();
}

bool OptionalStringArg(const Napi::CallbackInfo &info, size_t index, const char *name, std::string *out) {
  if (info[index].IsNull() || info[index].IsUndefined()) return false;
  *out = StringArg(info, index, name);
  return true;
}

bool BoolArg(const Napi::CallbackInfo &info, size_t index, const char *name) {
  if (!info[index].IsBoolean()) throw ArgError(info.Env(), name, "a boolean");
  return info[index].As<Napi::Boolean>().Value();
}

int64_t IntArg(const Napi::CallbackInfo &info, size_t index, const char *name) {
  if (!info[index].IsNumber()) throw ArgError(info.Env(), name, "an integer");
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (value != static_cast<double>(static_cast<int64_t>(value))) throw ArgError(info.Env(), name, "an integer");
  return static_cast<int64_t>(value);
}

}  // namespace cairn
