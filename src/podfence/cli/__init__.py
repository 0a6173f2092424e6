"""The command line: thin commands over load, analysis and render."""
