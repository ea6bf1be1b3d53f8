module "consul_cluster" {
  source       = "./modules/consul-cluster"
  cluster_name = var.cluster_name
  ami_id       = data.aws_ami.consul.id
}
