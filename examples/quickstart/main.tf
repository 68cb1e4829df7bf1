# Quick start: GitOps from Terraform against one cluster.
#  - gitops_application syncs the guestbook directory of a Git repository, pinned
#    to the commit its branch resolves to at plan time;
#  - gitops_helm_release installs a chart as a Helm 3 release (helm list sees it);
#  - the data sources show what a branch points at and what it would render.
#
#   make demo     # starts a local test cluster and Git server, runs plan + apply here
#
# By hand: terraform apply -var repo_url=https://... -var kubeconfig=~/.kube/config

terraform {
  required_providers {
    gitops = {
      source = "gitops/gitops"
    }
  }
}

variable "repo_url" {
  type        = string
  description = "Repository holding the guestbook directory: https://, ssh://, git:// or file://."
}

variable "revision" {
  type        = string
  default     = "main"
  description = "Branch, tag or commit to deploy."
}

variable "kubeconfig" {
  type        = string
  default     = "~/.kube/config"
  description = "Kubeconfig of the target cluster."
}

provider "gitops" {
  kubernetes {
    config_path = var.kubeconfig
  }
  git {
    timeout = 60
  }
}

data "gitops_git_revision" "app" {
  repo_url = var.repo_url
  revision = var.revision
}

resource "gitops_application" "guestbook" {
  name = "guestbook"
  source {
    repo_url        = var.repo_url
    target_revision = var.revision
    path            = "guestbook"
  }
  destination {
    namespace = "guestbook"
  }
  sync_policy {
    automated {
      prune     = true
      self_heal = true
    }
    sync_options = ["CreateNamespace=true"]
  }
  wait    = true
  timeout = 120
}

resource "gitops_helm_release" "hello" {
  name             = "hello"
  namespace        = "hello"
  create_namespace = true
  chart            = "${path.module}/charts/hello"
  values = [yamlencode({
    greeting = "hello from Terraform"
  })]
  set {
    name  = "replicaCount"
    value = "2"
  }
}

output "deployed_commit" {
  value = {
    sha     = data.gitops_git_revision.app.short_sha
    message = data.gitops_git_revision.app.message
    author  = data.gitops_git_revision.app.author
  }
}

output "guestbook" {
  value = {
    revision = gitops_application.guestbook.revision
    sync     = gitops_application.guestbook.sync_status
    health   = gitops_application.guestbook.health
    objects  = keys(gitops_application.guestbook.objects)
  }
}

output "hello_release" {
  value = {
    status   = gitops_helm_release.hello.status
    revision = gitops_helm_release.hello.metadata.revision
    chart    = gitops_helm_release.hello.metadata.chart
  }
}
