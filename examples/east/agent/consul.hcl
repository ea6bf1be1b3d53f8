# Consul server agent for the east datacenter.
datacenter = "east"
data_dir   = "/opt/consul"
server     = true
bootstrap_expect = 3
retry_join = ["10.10.0.11", "10.10.0.12", "10.10.0.13"]

ports {
  grpc_tls = 8503
}

connect {
  enabled = true
}

peering {
  enabled = true
}

acl {
  enabled                  = true
  default_policy           = "deny"
  enable_token_persistence = true
}

tls {
  defaults {
    ca_file   = "/etc/consul.d/tls/consul-agent-ca.pem"
    cert_file = "/etc/consul.d/tls/east-server-consul-0.pem"
    key_file  = "/etc/consul.d/tls/east-server-consul-0-key.pem"
    verify_incoming = true
    verify_outgoing = true
  }
  internal_rpc {
    verify_server_hostname = true
  }
}
