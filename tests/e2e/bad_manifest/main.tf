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

data "gitops_manifests" "broken" {
  repo_url = var.file_url
  path     = "broken"
}
