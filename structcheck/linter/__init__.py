"""The rule engine: rule spec, frame context, registry, configuration, the lint loop; checks/ holds the rules."""
