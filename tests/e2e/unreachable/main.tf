terraform {
  required_providers {
    gitops = {
      source = "gitops/gitops"
    }
  }
}

variable "url" {
  type = string
}

variable "cache_dir" {
  type = string
}

provider "gitops" {
  git {
    cache_dir = var.cache_dir
    timeout   = 5
  }
}

data "gitops_git_revision" "gone" {
  repo_url = var.url
}
