"""The campaign and its configuration: contents, member organizations, model catalogue,
minimum rules and deadlines. All of it is data an administrator may change."""
