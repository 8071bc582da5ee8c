// SPDX-License-Identifier: LGPL-2.1-or-later
// Sysroot: a JS handle on an OstreeSysroot. Reads of the loaded state are synchronous; locking,
// deploying, undeploying and cleanup block, so they run in workers holding their own reference.
#include "common.h"
#include "workers.h"

#include <functional>
#include <utility>

namespace cairn {

namespace {

// The pending/rollback pair only exists relative to a booted deployment: libostree's
// query_deployments_for(NULL) requires one, so a sysroot that is not booted has neither.
struct BootRoles {
  OstreeDeployment *pending = nullptr;
  OstreeDeployment *rollback = nullptr;
  ~BootRoles() {
    g_clear_object(&pending);
    g_clear_object(&rollback);
  }
};

void QueryRoles(OstreeSysroot *sysroot, BootRoles *roles) {
  if (ostree_sysroot_get_booted_deployment(sysroot) != nullptr) {
    ostree_sysroot_query_deployments_for(sysroot, nullptr, &roles->pending, &roles->rollback);
  }
}

bool Same(OstreeDeployment *a, OstreeDeployment *b) { return a != nullptr && b != nullptr && ostree_deployment_equal(a, b); }

Napi::Object DeploymentToJs(Napi::Env env, OstreeSysroot *sysroot, OstreeDeployment *deployment, int index,
                            const BootRoles &roles) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("osname", ostree_deployment_get_osname(deployment));
  o.Set("checksum", ostree_deployment_get_csum(deployment));
  o.Set("deployserial", ostree_deployment_get_deployserial(deployment));
  o.Set("bootserial", ostree_deployment_get_bootserial(deployment));
  GKeyFile *origin = ostree_deployment_get_origin(deployment);
  g_autofree char *refspec = origin != nullptr ? g_key_file_get_string(origin, "origin", "refspec", nullptr) : nullptr;
  o.Set("originRefspec", refspec != nullptr ? Napi::String::New(env, refspec) : env.Null());
  o.Set("index", index);
  o.Set("booted", Napi::Boolean::New(env, Same(deployment, ostree_sysroot_get_booted_deployment(sysroot))));
  o.Set("pending", Napi::Boolean::New(env, Same(deployment, roles.pending)));
  o.Set("rollback", Napi::Boolean::New(env, Same(deployment, roles.rollback)));
  o.Set("staged", Napi::Boolean::New(env, ostree_deployment_is_staged(deployment)));
  g_autofree char *relative = ostree_sysroot_get_deployment_dirpath(sysroot, deployment);
  g_autofree char *path = g_build_filename(g_file_peek_path(ostree_sysroot_get_path(sysroot)), relative, nullptr);
  o.Set("path", path);
  return o;
}

// The deployment as it appears in the sysroot's current list (with its index), or null.
Napi::Value FindDeployment(Napi::Env env, OstreeSysroot *sysroot, OstreeDeployment *wanted) {
  if (wanted == nullptr) return env.Null();
  g_autoptr(GPtrArray) deployments = ostree_sysroot_get_deployments(sysroot);
  BootRoles roles;
  QueryRoles(sysroot, &roles);
  for (guint i = 0; i < deployments->len; i++) {
    auto *deployment = static_cast<OstreeDeployment *>(deployments->pdata[i]);
    if (ostree_deployment_equal(deployment, wanted)) return DeploymentToJs(env, sysroot, deployment, i, roles);
  }
  return env.Null();
}

// One blocking sysroot call on a worker thread; `result` (optional) builds the value on the JS thread.
class SysrootTask : public PromiseWorker {
 public:
  using Run_ = std::function<gboolean(OstreeSysroot *, GError **)>;
  using Result_ = std::function<Napi::Value(Napi::Env, OstreeSysroot *)>;
  SysrootTask(Napi::Env env, const char *name, OstreeSysroot *sysroot, Run_ run, Result_ result = nullptr)
      : PromiseWorker(env, name),
        sysroot_(static_cast<OstreeSysroot *>(g_object_ref(sysroot))),
        run_(std::move(run)),
        result_(std::move(result)) {}
  ~SysrootTask() override { g_object_unref(sysroot_); }

 protected:
  gboolean Run(GError **error) override { return run_(sysroot_, error); }
  Napi::Value Result(Napi::Env env) override { return result_ ? result_(env, sysroot_) : env.Undefined(); }

 private:
  OstreeSysroot *sysroot_;
  Run_ run_;
  Result_ result_;
};

// DeployOptions copied out of JS; the new deployment is kept between Run and Result.
struct DeployRequest {
  std::string osname;
  std::string checksum;
  std::string origin_refspec;
  bool stage = false;
  bool has_kernel_args = false;
  std::vector<std::string> kernel_args;
  OstreeDeployment *deployment = nullptr;
  ~DeployRequest() { g_clear_object(&deployment); }
};

gboolean RunDeploy(OstreeSysroot *sysroot, DeployRequest *r, GError **error) {
  g_autoptr(GKeyFile) origin = ostree_sysroot_origin_new_from_refspec(sysroot, r->origin_refspec.c_str());
  g_autoptr(OstreeDeployment) merge = ostree_sysroot_get_merge_deployment(sysroot, r->osname.c_str());
  std::vector<char *> argv;
  for (std::string &arg : r->kernel_args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  OstreeSysrootDeployTreeOpts opts = {};
  if (r->has_kernel_args) opts.override_kernel_argv = argv.data();
  if (r->stage) {
    return ostree_sysroot_stage_tree_with_options(sysroot, r->osname.c_str(), r->checksum.c_str(), origin, merge, &opts,
                                                  &r->deployment, nullptr, error);
  }
  if (!ostree_sysroot_deploy_tree_with_options(sysroot, r->osname.c_str(), r->checksum.c_str(), origin, merge, &opts,
                                               &r->deployment, nullptr, error)) {
    return FALSE;
  }
  // Flags NONE: keep the booted and the merge deployment, put the new one first.
  return ostree_sysroot_simple_write_deployment(sysroot, r->osname.c_str(), r->deployment, merge,
                                                OSTREE_SYSROOT_SIMPLE_WRITE_DEPLOYMENT_FLAGS_NONE, nullptr, error) &&
         ostree_sysroot_load(sysroot, nullptr, error);
}

std::string RequiredString(Napi::Object options, const char *key) {
  Napi::Value value = options.Get(key);
  if (!value.IsString()) throw Napi::TypeError::New(options.Env(), std::string("Expected ") + key + " to be a string");
  return value.As<Napi::String>().Utf8Value();
}

}  // namespace

class Sysroot : public Napi::ObjectWrap<Sysroot> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Sysroot",
                       {
                           InstanceAccessor<&Sysroot::Path>("path"),
                           InstanceMethod<&Sysroot::Load>("load"),
                           InstanceMethod<&Sysroot::Lock>("lock"),
                           InstanceMethod<&Sysroot::TryLock>("tryLock"),
                           InstanceMethod<&Sysroot::Unlock>("unlock"),
                           InstanceMethod<&Sysroot::EnsureInitialized>("ensureInitialized"),
                           InstanceMethod<&Sysroot::OsInit>("osInit"),
                           InstanceMethod<&Sysroot::Deployments>("deployments"),
                           InstanceMethod<&Sysroot::BootedDeployment>("bootedDeployment"),
                           InstanceMethod<&Sysroot::StagedDeployment>("stagedDeployment"),
                           InstanceMethod<&Sysroot::IsBooted>("isBooted"),
                           InstanceMethod<&Sysroot::OsVarPath>("osVarPath"),
                           InstanceMethod<&Sysroot::Deploy>("deploy"),
                           InstanceMethod<&Sysroot::Undeploy>("undeploy"),
                           InstanceMethod<&Sysroot::Cleanup>("cleanup"),
                           InstanceMethod<&Sysroot::Repo>("repo"),
                       });
  }

  explicit Sysroot(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Sysroot>(info) {
    if (!info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "Sysroot objects come from sysrootOpen");
    sysroot_ = static_cast<OstreeSysroot *>(g_object_ref(info[0].As<Napi::External<OstreeSysroot>>().Data()));
  }
  ~Sysroot() override { g_object_unref(sysroot_); }

 private:
  Napi::Value Path(const Napi::CallbackInfo &info) {
    return Napi::String::New(info.Env(), g_file_peek_path(ostree_sysroot_get_path(sysroot_)));
  }

  Napi::Value Load(const Napi::CallbackInfo &info) {
    GError *error = nullptr;
    if (!ostree_sysroot_load(sysroot_, nullptr, &error)) ThrowGError(info.Env(), error);
    return info.Env().Undefined();
  }

  Napi::Value Lock(const Napi::CallbackInfo &info) {
    return (new SysrootTask(info.Env(), "cairn:sysrootLock", sysroot_, [](OstreeSysroot *s, GError **error) {
             return ostree_sysroot_lock(s, error);
           }))->Start();
  }

  Napi::Value TryLock(const Napi::CallbackInfo &info) {
    gboolean acquired = FALSE;
    GError *error = nullptr;
    if (!ostree_sysroot_try_lock(sysroot_, &acquired, &error)) ThrowGError(info.Env(), error);
    return Napi::Boolean::New(info.Env(), acquired);
  }

  Napi::Value Unlock(const Napi::CallbackInfo &info) {
    ostree_sysroot_unlock(sysroot_);
    return info.Env().Undefined();
  }

  Napi::Value EnsureInitialized(const Napi::CallbackInfo &info) {
    GError *error = nullptr;
    if (!ostree_sysroot_ensure_initialized(sysroot_, nullptr, &error)) ThrowGError(info.Env(), error);
    return info.Env().Undefined();
  }

  Napi::Value OsInit(const Napi::CallbackInfo &info) {
    std::string osname = StringArg(info, 0, "osname");
    GError *error = nullptr;
    if (!ostree_sysroot_init_osname(sysroot_, osname.c_str(), nullptr, &error)) ThrowGError(info.Env(), error);
    return info.Env().Undefined();
  }

  Napi::Value Deployments(const Napi::CallbackInfo &info) {
    g_autoptr(GPtrArray) deployments = ostree_sysroot_get_deployments(sysroot_);
    BootRoles roles;
    QueryRoles(sysroot_, &roles);
    Napi::Array result = Napi::Array::New(info.Env(), deployments->len);
    for (guint i = 0; i < deployments->len; i++) {
      auto *deployment = static_cast<OstreeDeployment *>(deployments->pdata[i]);
      result.Set(i, DeploymentToJs(info.Env(), sysroot_, deployment, i, roles));
    }
    return result;
  }

  Napi::Value BootedDeployment(const Napi::CallbackInfo &info) {
    return FindDeployment(info.Env(), sysroot_, ostree_sysroot_get_booted_deployment(sysroot_));
  }

  Napi::Value StagedDeployment(const Napi::CallbackInfo &info) {
    return FindDeployment(info.Env(), sysroot_, ostree_sysroot_get_staged_deployment(sysroot_));
  }

  Napi::Value IsBooted(const Napi::CallbackInfo &info) {
    return Napi::Boolean::New(info.Env(), ostree_sysroot_get_booted_deployment(sysroot_) != nullptr);
  }

  Napi::Value OsVarPath(const Napi::CallbackInfo &info) {
    std::string osname = StringArg(info, 0, "osname");
    g_autofree char *path = g_build_filename(g_file_peek_path(ostree_sysroot_get_path(sysroot_)), "ostree", "deploy",
                                             osname.c_str(), "var", nullptr);
    return Napi::String::New(info.Env(), path);
  }

  Napi::Value Deploy(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject()) throw Napi::TypeError::New(env, "Expected options to be an object");
    Napi::Object options = info[0].As<Napi::Object>();
    auto request = std::make_shared<DeployRequest>();
    request->osname = RequiredString(options, "osname");
    request->checksum = RequiredString(options, "checksum");
    request->origin_refspec = RequiredString(options, "originRefspec");
    request->stage = options.Get("stage").ToBoolean().Value();
    Napi::Value kernel_args = options.Get("kernelArgs");
    if (kernel_args.IsArray()) {
      request->has_kernel_args = true;
      Napi::Array list = kernel_args.As<Napi::Array>();
      for (uint32_t i = 0; i < list.Length(); i++) {
        if (!list.Get(i).IsString()) throw Napi::TypeError::New(env, "Expected kernelArgs to be an array of strings");
        request->kernel_args.push_back(list.Get(i).As<Napi::String>().Utf8Value());
      }
    } else if (!kernel_args.IsUndefined() && !kernel_args.IsNull()) {
      throw Napi::TypeError::New(env, "Expected kernelArgs to be an array of strings");
    }
    return (new SysrootTask(
                env, "cairn:deploy", sysroot_,
                [request](OstreeSysroot *s, GError **error) { return RunDeploy(s, request.get(), error); },
                [request](Napi::Env e, OstreeSysroot *s) { return FindDeployment(e, s, request->deployment); }))
        ->Start();
  }

  Napi::Value Undeploy(const Napi::CallbackInfo &info) {
    int64_t index = IntArg(info, 0, "index");
    return (new SysrootTask(info.Env(), "cairn:undeploy", sysroot_, [index](OstreeSysroot *s, GError **error) {
             g_autoptr(GPtrArray) current = ostree_sysroot_get_deployments(s);
             if (index < 0 || index >= static_cast<int64_t>(current->len)) {
               g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "No deployment at index %" G_GINT64_FORMAT,
                           static_cast<gint64>(index));
               return FALSE;
             }
             g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func(g_object_unref);
             for (guint i = 0; i < current->len; i++) {
               if (i != index) g_ptr_array_add(kept, g_object_ref(current->pdata[i]));
             }
             return ostree_sysroot_write_deployments(s, kept, nullptr, error);
           }))->Start();
  }

  Napi::Value Cleanup(const Napi::CallbackInfo &info) {
    return (new SysrootTask(info.Env(), "cairn:cleanup", sysroot_, [](OstreeSysroot *s, GError **error) {
             return ostree_sysroot_cleanup(s, nullptr, error);
           }))->Start();
  }

  Napi::Value Repo(const Napi::CallbackInfo &info) {
    OstreeRepo *repo = nullptr;
    GError *error = nullptr;
    if (!ostree_sysroot_get_repo(sysroot_, &repo, nullptr, &error)) ThrowGError(info.Env(), error);
    g_autoptr(OstreeRepo) owned = repo;
    return WrapRepo(info.Env(), owned);
  }

  OstreeSysroot *sysroot_;
};

Napi::Function InitSysroot(Napi::Env env) { return Sysroot::Init(env); }

Napi::Value SysrootOpen(const Napi::CallbackInfo &info) {
  std::string path = StringArg(info, 0, "path");
  g_autoptr(GFile) file = g_file_new_for_path(path.c_str());
  g_autoptr(OstreeSysroot) sysroot = ostree_sysroot_new(file);
  return Data(info.Env()).sysrootClass.New({Napi::External<OstreeSysroot>::New(info.Env(), sysroot)});
}

}  // namespace cairn
