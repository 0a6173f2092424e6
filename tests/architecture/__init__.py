"""Architecture tests: the layers of src/podfence and where the semantics live."""
