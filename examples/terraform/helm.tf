resource "helm_release" "north" {
  provider   = helm.north
  name       = "consul"
  repository = "https://helm.releases.hashicorp.com"
  chart      = "consul"
  version    = "1.3.1"
  values     = [file("${path.module}/helm/north-values.yaml")]

  set {
    name  = "global.datacenter"
    value = "north"
  }
}

resource "helm_release" "arctic" {
  provider   = helm.arctic
  name       = "consul"
  repository = "https://helm.releases.hashicorp.com"
  chart      = "consul"
  version    = "1.3.1"
  values     = [file("${path.module}/helm/arctic-values.yaml")]

  set {
    name  = "global.datacenter"
    value = "arctic"
  }
}
