/**
 * The demo's config repo, embedded so `itemstore demo` needs no test fixtures at run time: three teams across two
 * tenants, each kind of config the SPEC names (config-list routes, DQ rules stored as legacy YAML in S3, plain FFI2
 * interfaces, V2-only EMR settings, an S3-only `_SC` file, a folder that is never deployed).
 */
export const SAMPLE_REPO: Readonly<Record<string, string>> = {
  'README.md': `# dmd-item-storage-v2 (demo)

Configs of the data platform's tools. Each top-level folder is a team listed in \`item-store.yaml\`;
\`tags.yaml\` files set the tags of every config below them; configs under \`<team>/default/\` also go to S3.
`,
  'item-store.yaml': `version: 1
mainBranch: main
environments: [dev, qa, prod] # promotion order; pushes deploy to the first
s3OnlySuffixes: [_SC] # returns_SC.yaml goes to S3 only
tenants:
  retail:
    region: us-east-1
    s3:
      dev: { bucket: retail-configs-dev, prefix: item-store/ }
      qa: { bucket: retail-configs-qa, prefix: item-store/ }
      prod: { bucket: retail-configs-prod, prefix: item-store/ }
  wholesale:
    region: eu-west-1
    s3:
      dev: { bucket: wholesale-configs-dev, prefix: v0/item-store/ }
      qa: { bucket: wholesale-configs-qa, prefix: v0/item-store/ }
      prod: { bucket: wholesale-configs-prod, prefix: v0/item-store/ }
teams:
  data-router: { tenant: retail, namespace: data-router, format: config-list }
  data-quality: { tenant: retail, namespace: data-quality, format: dq }
  ffi2: { tenant: wholesale, namespace: ffi2 }
  emr: { tenant: wholesale, namespace: emr-jobs }
`,
  'tags.yaml': `tags:
  platform: dmd
  owner: data-platform
`,
  'data-router/tags.yaml': `tags:
  component: data-router
  owner: routing-team
`,
  'data-router/default/orders.yaml': `config_list:
  - name: orders-created
    source:
      type: kafka
      topic: retail.orders.created.v1
      consumer_group: data-router-orders
    destination:
      type: s3
      bucket: retail-raw-orders
      path: orders/created/dt={event_date}/
      format: parquet
`,
  'data-router/default/inventory.yml': `defaults: &kafka_source
  type: kafka
  consumer_group: data-router-inventory
config_list:
  - name: stock-levels
    source:
      <<: *kafka_source
      topic: retail.inventory.stock.v2
    destination:
      type: s3
      bucket: retail-raw-inventory
      path: stock/dt={event_date}/
`,
  'data-router/default/returns_SC.yaml': `# Read only by the legacy S3 reader (Item Store V0): goes to S3, never to V2.
config_list:
  - name: returns-legacy
    source:
      type: sftp
      host: returns.partner.example
      path: /outbound/returns/*.csv
    destination:
      type: s3
      bucket: retail-raw-returns
      path: legacy/dt={file_date}/
`,
  'data-router/.drafts/new_route.yaml': `# Work in progress: a folder starting with '.' is never deployed.
config_list:
  - name: draft
`,
  'data-quality/tags.yaml': `tags:
  component: data-quality
  schedule: daily
`,
  'data-quality/default/orders_checks.yaml': `config_list:
  - rule_id: orders_not_null_order_id
    table: curated.orders
    check: not_null
    column: order_id
    severity: critical
  - rule_id: orders_amount_positive
    table: curated.orders
    check: expression
    expression: "total_amount >= 0"
    severity: high
`,
  'ffi2/tags.yaml': `tags:
  interface: ffi2
  owner: integrations
`,
  'ffi2/default/vendor_feed.json': `{
  "interface": "vendor_feed",
  "direction": "inbound",
  "source": { "protocol": "sftp", "host": "feeds.vendor.example", "path": "/export/daily/" },
  "file_pattern": "vendor_items_*.csv",
  "schedule": "0 4 * * *"
}
`,
  'emr/tags.yaml': `tags:
  interface: emr
  owner: compute
`,
  'emr/cluster/emr_cluster.json': `{
  "release_label": "emr-7.1.0",
  "applications": ["Spark", "Hadoop"],
  "auto_termination_idle_seconds": 3600
}
`,
};

/** Every bucket item-store.yaml above names (the demo creates them in the local S3 server). */
export const SAMPLE_BUCKETS = ['dev', 'qa', 'prod'].flatMap((env) => [
  `retail-configs-${env}`,
  `wholesale-configs-${env}`,
]);
