// SPDX-License-Identifier: LGPL-2.1-or-later
// Static-delta superblocks: where they live in a repo and what they say. The format is
// OSTREE_STATIC_DELTA_SUPERBLOCK_FORMAT from libostree's private headers:
//   (a{sv} t ay ay OSTREE_COMMIT_GVARIANT_STRING ay a(uayttay) a(yaytt))
//   metadata, timestamp, from, to, to-commit, prerequisites, part headers, fallback objects.
// Part header (uayttay): version, checksum, size, usize, objects. Fallback (yaytt): objtype,
// checksum, size, usize. Sizes are in the generator's byte order, named by ostree.endianness.
#include "common.h"

namespace cairn {

static const char kSuperblockFormat[] = "(a{sv}tayay" OSTREE_COMMIT_GVARIANT_STRING "ay" "a(uayttay)" "a(yaytt)" ")";

// True when the superblock was written in the other byte order than this host's.
static bool NeedsByteswap(GVariant *metadata) {
  guint8 endianness = 0;
  if (!g_variant_lookup(metadata, "ostree.endianness", "y", &endianness)) return false;
  const guint8 host = G_BYTE_ORDER == G_BIG_ENDIAN ? 'B' : 'l';
  return endianness != host;
}

static Napi::BigInt Size(Napi::Env env, guint64 raw, bool swap) {
  return Napi::BigInt::New(env, static_cast<uint64_t>(swap ? GUINT64_SWAP_LE_BE(raw) : raw));
}

Napi::Object DeltaSuperblockFromBytes(Napi::Env env, GBytes *bytes) {
  // Untrusted bytes: GVariant reads them safely (bad data reads as defaults), normal form first.
  g_autoptr(GVariant) input = g_variant_ref_sink(g_variant_new_from_bytes(G_VARIANT_TYPE(kSuperblockFormat), bytes, FALSE));
  g_autoptr(GVariant) superblock = g_variant_get_normal_form(input);
  g_autoptr(GVariant) metadata = g_variant_get_child_value(superblock, 0);
  g_autoptr(GVariant) from = g_variant_get_child_value(superblock, 2);
  g_autoptr(GVariant) to = g_variant_get_child_value(superblock, 3);
  g_autoptr(GVariant) parts = g_variant_get_child_value(superblock, 6);
  g_autoptr(GVariant) fallbacks = g_variant_get_child_value(superblock, 7);
  const bool swap = NeedsByteswap(metadata);

  Napi::Object result = Napi::Object::New(env);
  std::string from_checksum = ChecksumFromBytesVariant(env, from);
  result.Set("from", from_checksum.empty() ? env.Null() : Napi::String::New(env, from_checksum));
  std::string to_checksum = ChecksumFromBytesVariant(env, to);
  if (to_checksum.empty()) throw Napi::Error::New(env, "Not a static-delta superblock: it names no target commit");
  result.Set("to", to_checksum);

  gsize n_parts = g_variant_n_children(parts);
  Napi::Array js_parts = Napi::Array::New(env, n_parts);
  for (gsize i = 0; i < n_parts; i++) {
    guint64 size = 0, usize = 0;
    g_variant_get_child(parts, i, "(u@aytt@ay)", nullptr, nullptr, &size, &usize, nullptr);
    Napi::Object part = Napi::Object::New(env);
    part.Set("size", Size(env, size, swap));
    part.Set("usize", Size(env, usize, swap));
    js_parts.Set(static_cast<uint32_t>(i), part);
  }
  result.Set("parts", js_parts);

  gsize n_fallbacks = g_variant_n_children(fallbacks);
  Napi::Array js_fallbacks = Napi::Array::New(env, n_fallbacks);
  for (gsize i = 0; i < n_fallbacks; i++) {
    guint8 objtype = 0;
    g_autoptr(GVariant) checksum = nullptr;
    guint64 size = 0, usize = 0;
    g_variant_get_child(fallbacks, i, "(y@aytt)", &objtype, &checksum, &size, &usize);
    Napi::Object object = Napi::Object::New(env);
    object.Set("objectType", ObjectTypeName(static_cast<OstreeObjectType>(objtype)));
    object.Set("checksum", ChecksumFromBytesVariant(env, checksum));
    object.Set("size", Size(env, size, swap));
    object.Set("usize", Size(env, usize, swap));
    js_fallbacks.Set(static_cast<uint32_t>(i), object);
  }
  result.Set("fallbackObjects", js_fallbacks);
  return result;
}

static std::string ModifiedBase64(const std::string &checksum) {
  guint8 bytes[OSTREE_SHA256_DIGEST_LEN];
  ostree_checksum_inplace_to_bytes(checksum.c_str(), bytes);
  g_autofree char *b64 = ostree_checksum_b64_from_bytes(bytes);
  return b64;
}

// Mirrors _ostree_get_relative_static_delta_path: deltas/FR/OM-TO/superblock, or deltas/TO/.../superblock.
std::string DeltaSuperblockPath(const std::string &from, const std::string &to) {
  std::string path = "deltas/";
  std::string to_b64 = ModifiedBase64(to);
  if (!from.empty()) {
    std::string from_b64 = ModifiedBase64(from);
    path += from_b64.substr(0, 2) + "/" + from_b64.substr(2) + "-" + to_b64;
  } else {
    path += to_b64.substr(0, 2) + "/" + to_b64.substr(2);
  }
  return path + "/superblock";
}

}  // namespace cairn
