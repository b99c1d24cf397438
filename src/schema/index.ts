import { builder } from '../builder.js';
import './scalars.js';
import './label.js';
import './release.js';
import './feature.js';
import './credential.js';
import './region.js';
import './task.js';
import './job.js';
import './cluster.js';
import './error.js';
import './cluster-mutations.js';
import './job-mutations.js';
import './credential-mutations.js';
import './subscription.js';

/** Imports every resource file (each registers its types and root fields) and builds the schema. */
export const schema = builder.toSchema({ sortSchema: false });
