include "root" {
  path = find_in_parent_folders()
}

terraform {
  source = "git::git@github.com:acme/infrastructure-modules.git//consul-cluster?ref=v0.4.0"
}

dependency "vpc" {
  config_path = "../vpc"
}

inputs = {
  vpc_id       = dependency.vpc.outputs.vpc_id
  cluster_size = 3
}
