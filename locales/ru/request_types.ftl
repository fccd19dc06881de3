# Request types (bot/request_types.py): /stats counts claims by type, in the registry's order.
# Each type's own name and button are claim-type-CODE and claim-type-button-CODE (claims.ftl).
request-types-stats-title = <b>По видам обращений</b>
request-types-stats-line = { $type }: { $count }
