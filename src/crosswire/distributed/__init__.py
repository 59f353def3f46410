"""Running ``crosswire ingest`` on many machines: inputs cut into shards, each shard's results
written to a file with a completion marker, one loader storing them (see :mod:`.shards`); Ray as
the engine that runs the shards (see :mod:`.ray_engine`, needs ``crosswire[ray]``)."""
