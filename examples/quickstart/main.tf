# Quick start: resolve what a branch of a Git repository points at, and render the
# manifests of one of its directories at exactly that commit — what a
# gitops_application will apply.
#
#   make demo            # serves a local repository and runs plan + apply here
#
# By hand: terraform apply -var repo_url=https://github.com/argoproj/argocd-example-apps.git

terraform {
  required_providers {
    gitops = {
      source = "gitops/gitops"
    }
  }
}

variable "repo_url" {
  type        = string
  description = "Repository to read: https://, ssh://, git:// or file:// URL."
}

variable "revision" {
  type        = string
  default     = "main"
  description = "Branch, tag or commit."
}

provider "gitops" {
  git {
    timeout = 60
  }
}

data "gitops_git_revision" "app" {
  repo_url = var.repo_url
  revision = var.revision
}

# The same repository at a tag, resolved in parallel.
data "gitops_git_revision" "release" {
  repo_url = var.repo_url
  revision = "v1.0.0"
}

# The guestbook directory at the commit resolved above, rendered without applying.
data "gitops_manifests" "guestbook" {
  repo_url        = var.repo_url
  target_revision = data.gitops_git_revision.app.sha
  path            = "guestbook"
}

output "revision" {
  value = {
    branch  = var.revision
    sha     = data.gitops_git_revision.app.sha
    short   = data.gitops_git_revision.app.short_sha
    author  = data.gitops_git_revision.app.author
    time    = data.gitops_git_revision.app.time
    message = data.gitops_git_revision.app.message
  }
}

output "release_sha" {
  value = data.gitops_git_revision.release.short_sha
}

output "guestbook_objects" {
  value = data.gitops_manifests.guestbook.objects
}
