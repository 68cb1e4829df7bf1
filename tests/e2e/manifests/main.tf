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
  }
}

data "gitops_manifests" "guestbook" {
  repo_url        = "${var.daemon_url}/apps.git"
  target_revision = "main"
  path            = "guestbook"
}

data "gitops_manifests" "all" {
  repo_url = var.file_url
  path     = "guestbook"
  directory {
    recurse = true
    exclude = "*secret*"
  }
}

output "guestbook_keys" {
  value = join(",", sort(keys(data.gitops_manifests.guestbook.objects)))
}

output "all_keys" {
  value = join(",", sort(keys(data.gitops_manifests.all.objects)))
}

output "secret_yaml" {
  value = data.gitops_manifests.guestbook.objects["/Secret/guestbook/creds"]
}

output "revision" {
  value = data.gitops_manifests.guestbook.revision
}
