print("clusterbox")
