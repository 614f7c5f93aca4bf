"""magazine.yaml, contributors.yaml, issue manifests and the files they name -> a checked, frozen `Issue`."""
