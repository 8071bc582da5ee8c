// SPDX-License-Identifier: LGPL-2.1-or-later
// GVariant -> JS with exact types: b -> boolean; s, o, g -> string; y, n, q, i, u, h, d -> number;
// t, x -> BigInt; ay -> Buffer; a{s*} -> plain object; other arrays and tuples -> Array;
// v -> its content; maybe -> null or the value.
#include "common.h"

namespace cairn {

static void DefineOwn(Napi::Env env, Napi::Object object, const char *key, Napi::Value value) {
  // DefineProperty rather than Set: a key like "__proto__" must stay an ordinary own property.
  object.DefineProperty(Napi::PropertyDescriptor::Value(Napi::String::New(env, key), value, napi_default_jsproperty));
}

static Napi::Array ChildrenToArray(Napi::Env env, GVariant *container) {
  gsize n = g_variant_n_children(container);
  Napi::Array array = Napi::Array::New(env, n);
  for (gsize i = 0; i < n; i++) {
    g_autoptr(GVariant) child = g_variant_get_child_value(container, i);
    array.Set(static_cast<uint32_t>(i), VariantToJs(env, child));
  }
  return array;
}

static bool IsStringDict(const GVariantType *type) {
  if (!g_variant_type_is_array(type)) return false;
  const GVariantType *element = g_variant_type_element(type);
  return g_variant_type_is_dict_entry(element) &&
         g_variant_type_equal(g_variant_type_key(element), G_VARIANT_TYPE_STRING);
}

Napi::Object VardictToJs(Napi::Env env, GVariant *dict) {
  Napi::Object object = Napi::Object::New(env);
  gsize n = g_variant_n_children(dict);
  for (gsize i = 0; i < n; i++) {
    g_autoptr(GVariant) entry = g_variant_get_child_value(dict, i);
    g_autoptr(GVariant) key = g_variant_get_child_value(entry, 0);
    g_autoptr(GVariant) value = g_variant_get_child_value(entry, 1);
    DefineOwn(env, object, g_variant_get_string(key, nullptr), VariantToJs(env, value));
  }
  return object;
}

Napi::Value VariantToJs(Napi::Env env, GVariant *value) {
  const GVariantType *type = g_variant_get_type(value);
  switch (g_variant_classify(value)) {
    case G_VARIANT_CLASS_BOOLEAN:
      return Napi::Boolean::New(env, g_variant_get_boolean(value));
    case G_VARIANT_CLASS_STRING:
    case G_VARIANT_CLASS_OBJECT_PATH:
    case G_VARIANT_CLASS_SIGNATURE:
      return Napi::String::New(env, g_variant_get_string(value, nullptr));
    case G_VARIANT_CLASS_BYTE:
      return Napi::Number::New(env, g_variant_get_byte(value));
    case G_VARIANT_CLASS_INT16:
      return Napi::Number::New(env, g_variant_get_int16(value));
    case G_VARIANT_CLASS_UINT16:
      return Napi::Number::New(env, g_variant_get_uint16(value));
    case G_VARIANT_CLASS_INT32:
      return Napi::Number::New(env, g_variant_get_int32(value));
    case G_VARIANT_CLASS_UINT32:
      return Napi::Number::New(env, g_variant_get_uint32(value));
    case G_VARIANT_CLASS_HANDLE:
      return Napi::Number::New(env, g_variant_get_handle(value));
    case G_VARIANT_CLASS_DOUBLE:
      return Napi::Number::New(env, g_variant_get_double(value));
    case G_VARIANT_CLASS_INT64:
      return Napi::BigInt::New(env, static_cast<int64_t>(g_variant_get_int64(value)));
    case G_VARIANT_CLASS_UINT64:
      return Napi::BigInt::New(env, static_cast<uint64_t>(g_variant_get_uint64(value)));
    case G_VARIANT_CLASS_VARIANT: {
      g_autoptr(GVariant) inner = g_variant_get_variant(value);
      return VariantToJs(env, inner);
    }
    case G_VARIANT_CLASS_MAYBE: {
      g_autoptr(GVariant) inner = g_variant_get_maybe(value);
      return inner != nullptr ? VariantToJs(env, inner) : env.Null();
    }
    case G_VARIANT_CLASS_ARRAY:
      if (g_variant_type_equal(type, G_VARIANT_TYPE_BYTESTRING)) {
        gsize size = 0;
        const void *data = g_variant_get_fixed_array(value, &size, 1);
        return Napi::Buffer<uint8_t>::Copy(env, static_cast<const uint8_t *>(data), size);
      }
      if (IsStringDict(type)) return VardictToJs(env, value);
      return ChildrenToArray(env, value);
    case G_VARIANT_CLASS_TUPLE:
    case G_VARIANT_CLASS_DICT_ENTRY:
      return ChildrenToArray(env, value);
  }
  throw Napi::Error::New(env, std::string("Unsupported GVariant type ") + g_variant_get_type_string(value));
}

}  // namespace cairn
