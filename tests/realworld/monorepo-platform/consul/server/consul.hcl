datacenter = "dc1"
data_dir   = "/opt/consul/data"
server     = true
bootstrap_expect = 3
client_addr = "0.0.0.0"
bind_addr   = "{{ GetPrivateInterfaces | include \"network\" \"10.0.0.0/8\" | attr \"address\" }}"
retry_join = ["provider=aws tag_key=consul-cluster tag_value=prod"]

ui_config {
  enabled = true
}

connect {
  enabled = true
}

ports {
  grpc     = 8502
  grpc_tls = 8503
}

acl {
  enabled                  = true
  default_policy           = "deny"
  enable_token_persistence = true
}

tls {
  defaults {
    ca_file         = "/etc/consul.d/tls/consul-agent-ca.pem"
    cert_file       = "/etc/consul.d/tls/dc1-server-consul-0.pem"
    key_file        = "/etc/consul.d/tls/dc1-server-consul-0-key.pem"
    verify_incoming = true
    verify_outgoing = true
  }
  internal_rpc {
    verify_server_hostname = true
  }
}
