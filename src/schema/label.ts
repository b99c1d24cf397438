import { builder } from '../builder.js';
import { UUID_PATTERN, type EmsLabel } from '../ems/models/index.js';
import { quote, userInputError } from '../errors.js';

/** A Kubernetes node label `{key, value}`. */
export const Label = builder.objectRef<EmsLabel>('Label').implement({
  description: 'A Kubernetes node label.',
  fields: (t) => ({
    key: t.exposeString('key', { nullable: false }),
    value: t.exposeString('value', { nullable: false }),
  }),
});

builder.queryField('clusterLabels', (t) =>
  t.field({
    type: [Label],
    nullable: false,
    description: 'The node labels of a CCE cluster (ListClustersLabels).',
    args: { k8sClusterId: t.arg.id({ required: true, description: 'UUID of the CCE cluster.' }) },
    resolve: (_root, { k8sClusterId }, ctx) => {
      if (!UUID_PATTERN.test(k8sClusterId)) {
        throw userInputError(`"k8sClusterId" must be a UUID (8-4-4-4-12 hexadecimal digits), got ${quote(k8sClusterId)}`, {
          argument: 'k8sClusterId',
        });
      }
      return ctx.loaders.labelsByK8sClusterId.load(k8sClusterId);
    },
  }),
);
