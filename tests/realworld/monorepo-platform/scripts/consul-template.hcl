consul {
  address = "127.0.0.1:8500"
  retry {
    enabled  = true
    attempts = 12
  }
}
template {
  source      = "/etc/consul-template/nginx.ctmpl"
  destination = "/etc/nginx/conf.d/upstreams.conf"
  command     = "nginx -s reload"
}
