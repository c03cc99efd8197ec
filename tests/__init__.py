"""The test suite; also home of the test-only modules `browser` and `notebook_plugin`."""
