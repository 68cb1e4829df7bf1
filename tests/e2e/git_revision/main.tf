terraform {
  required_providers {
    gitops = {
      source = "gitops/gitops"
    }
  }
}

variable "daemon_url" {
  type = string
}

variable "file_url" {
  type = string
}

variable "cache_dir" {
  type = string
}

provider "gitops" {
  git {
    cache_dir = var.cache_dir
    timeout   = 20
  }
}

data "gitops_git_revision" "main" {
  repo_url = "${var.daemon_url}/apps.git"
  revision = "main"
}

data "gitops_git_revision" "head" {
  repo_url = var.file_url
}

data "gitops_git_revision" "each" {
  for_each = toset(["dev", "v1", "refs/heads/main"])
  repo_url = "${var.daemon_url}/apps.git"
  revision = each.key
}

# Depends on another data source's result: a short SHA resolved by SHA.
data "gitops_git_revision" "pinned" {
  repo_url = var.file_url
  revision = substr(data.gitops_git_revision.main.sha, 0, 10)
}

output "main_sha" {
  value = data.gitops_git_revision.main.sha
}

output "main_ref" {
  value = data.gitops_git_revision.main.ref
}

output "head_sha" {
  value = data.gitops_git_revision.head.sha
}

output "head_revision" {
  value = data.gitops_git_revision.head.revision
}

output "dev_sha" {
  value = data.gitops_git_revision.each["dev"].sha
}

output "tag_sha" {
  value = data.gitops_git_revision.each["v1"].sha
}

output "tag_ref" {
  value = data.gitops_git_revision.each["v1"].ref
}

output "pinned_sha" {
  value = data.gitops_git_revision.pinned.sha
}

output "author" {
  value = data.gitops_git_revision.main.author
}

output "message" {
  value = data.gitops_git_revision.main.message
}
