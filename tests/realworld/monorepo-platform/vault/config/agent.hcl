vault {
  address = "https://vault.service.consul:8200"
}

auto_auth {
  method "approle" {
    config = {
      role_id_file_path = "/etc/vault/role-id"
    }
  }
}

template {
  source      = "/etc/consul-template/consul-token.ctmpl"
  destination = "/etc/consul.d/token.hcl"
}
