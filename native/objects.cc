// SPDX-License-Identifier: LGPL-2.1-or-later
// Object type names as the contract spells them (types.ts ObjectType), and checksum bytes.
#include "common.h"

namespace cairn {

static const struct {
  OstreeObjectType type;
  const char *name;
} kObjectTypes[] = {
    {OSTREE_OBJECT_TYPE_FILE, "file"},
    {OSTREE_OBJECT_TYPE_DIR_TREE, "dir-tree"},
    {OSTREE_OBJECT_TYPE_DIR_META, "dir-meta"},
    {OSTREE_OBJECT_TYPE_COMMIT, "commit"},
    {OSTREE_OBJECT_TYPE_TOMBSTONE_COMMIT, "tombstone-commit"},
    {OSTREE_OBJECT_TYPE_COMMIT_META, "commit-meta"},
    {OSTREE_OBJECT_TYPE_PAYLOAD_LINK, "payload-link"},
    {OSTREE_OBJECT_TYPE_FILE_XATTRS, "file-xattrs"},
    {OSTREE_OBJECT_TYPE_FILE_XATTRS_LINK, "file-xattrs-link"},
};

const char *ObjectTypeName(OstreeObjectType type) {
  for (const auto &entry : kObjectTypes) {
    if (entry.type == type) return entry.name;
  }
  return "unknown";
}

OstreeObjectType ObjectTypeFromName(Napi::Env env, const std::string &name) {
  for (const auto &entry : kObjectTypes) {
    if (name == entry.name) return entry.type;
  }
  throw Napi::TypeError::New(env, "Unknown object type: " + name);
}

std::string ChecksumFromBytesVariant(Napi::Env env, GVariant *bytes) {
  gsize size = g_variant_n_children(bytes);
  if (size == 0) return "";
  if (size != OSTREE_SHA256_DIGEST_LEN) {
    throw Napi::Error::New(env, "Invalid checksum of " + std::to_string(size) + " bytes");
  }
  g_autofree char *checksum = ostree_checksum_from_bytes_v(bytes);
  return checksum;
}

}  // namespace cairn
