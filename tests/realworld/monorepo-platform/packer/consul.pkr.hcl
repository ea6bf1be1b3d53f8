packer {
  required_plugins {
    amazon = {
      version = ">= 1.2.0"
      source  = "github.com/hashicorp/amazon"
    }
  }
}

source "amazon-ebs" "consul" {
  ami_name      = "consul-${var.consul_version}-${local.timestamp}"
  instance_type = "t3.small"
  region        = var.region
}

build {
  sources = ["source.amazon-ebs.consul"]
  provisioner "shell" {
    script = "../scripts/install-consul.sh"
  }
}
