# SPDX-License-Identifier: LGPL-2.1-or-later
{
  "targets": [
    {
      "target_name": "cairn_native",
      "sources": [
        "native/addon.cc",
        "native/args.cc",
        "native/cancellable.cc",
        "native/gerror.cc",
        "native/log.cc",
        "native/objects.cc",
        "native/pull.cc",
        "native/repo.cc",
        "native/summary.cc",
        "native/delta.cc",
        "native/sysroot.cc",
        "native/variant.cc",
        "native/workers.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(pkg-config --cflags-only-I ostree-1 | sed s/-I//g)"
      ],
      "libraries": ["<!@(pkg-config --libs ostree-1)"],
      "defines": [
        "NAPI_VERSION=8",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        # C++ exceptions: argument errors unwind through RAII guards straight into a JS TypeError.
        "NAPI_CPP_EXCEPTIONS",
        "G_LOG_DOMAIN=\"cairn-native\""
      ],
      "cflags": ["-Wall", "-Wextra", "-fvisibility=hidden"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fvisibility=hidden"],
      "cflags_cc!": ["-fno-exceptions"]
    }
  ]
}
