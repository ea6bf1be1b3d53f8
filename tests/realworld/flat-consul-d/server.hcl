server           = true
bootstrap_expect = 3

ui_config {
  enabled = true
}

connect {
  enabled = true
}

config_entries {
  bootstrap {
    kind = "proxy-defaults"
    name = "global"
    config {
      protocol = "http"
    }
  }
  bootstrap {
    kind = "service-intentions"
    name = "counting"
    sources {
      name   = "dashboard"
      action = "allow"
    }
  }
}
