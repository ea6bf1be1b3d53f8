# Two Consul clusters on Kubernetes, installed and configured with Terraform:
# north (installed by helm_release.north, helm/north-values.yaml) and arctic.
provider "consul" {
  alias      = "north"
  address    = "https://consul.north.example.com:8501"
  datacenter = "north"
}

provider "consul" {
  alias      = "arctic"
  address    = "https://consul.arctic.example.com:8501"
  datacenter = "arctic"
}
