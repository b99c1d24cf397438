import { builder } from '../builder.js';
import { EmsUuid } from '../ems/models/index.js';
import type { LabelRecord } from '../ems/read/index.js';
import { checkArgument } from '../errors.js';
import { itemsOf } from './connection.js';
import { inRegion, oneRegionArg } from './region.js';

/** A Kubernetes node label `{key, value}`. */
export const Label = builder.objectRef<LabelRecord>('Label').implement({
  description:
    'A Kubernetes node label, as the cluster has it: keys may carry a DNS prefix (`topology.kubernetes.io/zone`, up to 253 + 1 + 63 characters), values may be empty.',
  fields: (t) => ({
    key: t.exposeString('key', { nullable: false }),
    value: t.exposeString('value', { nullable: false, description: 'Empty for a label without a value.' }),
  }),
});

builder.queryField('clusterLabels', (t) =>
  t.field({
    type: [Label],
    nullable: { list: false, items: true },
    description:
      'The node labels of a CCE cluster (ListClustersLabels). A label EMS sent without a readable key is null, with an error on its path.',
    args: { k8sClusterId: t.arg.id({ required: true, description: 'UUID of the CCE cluster.' }), ...oneRegionArg },
    resolve: async (_root, { k8sClusterId, region }, ctx) => {
      checkArgument('k8sClusterId', k8sClusterId, EmsUuid);
      return itemsOf(await inRegion(ctx, region).loaders.labelsByK8sClusterId.load(k8sClusterId));
    },
  }),
);
