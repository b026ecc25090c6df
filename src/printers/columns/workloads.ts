// Deployments, ReplicaSets, StatefulSets, DaemonSets, ReplicationControllers.
import { doc } from './docs';
import { ageCol, col, nameCol, type KindTable } from './types';
import { ageOf, arr, containerCells, formatLabels, formatLabelSelector, int, obj, selectorString, str } from './util';

const CONTAINERS_DOC = 'Names of each container in the template.';
const IMAGES_DOC = 'Images referenced by each container in the template.';
const wideCols = [col('Containers', CONTAINERS_DOC, { priority: 1 }), col('Images', IMAGES_DOC, { priority: 1 })];

export const deployments: KindTable = {
  columns: [
    nameCol,
    col('Ready', 'Number of the pod with ready state'),
    col('Up-to-date', doc('extensions/v1beta1', 'DeploymentStatus', 'updatedReplicas'), { cell: 'integer' }),
    col('Available', doc('extensions/v1beta1', 'DeploymentStatus', 'availableReplicas'), { cell: 'integer' }),
    ageCol,
    ...wideCols,
    col('Selector', doc('extensions/v1beta1', 'DeploymentSpec', 'selector'), { priority: 1 }),
  ],
  cells: (o, now) => {
    const spec = obj(o.spec);
    const st = obj(o.status);
    // printDeployment uses selector.String() directly: an empty selector prints as "".
    return [
      str(o.metadata.name),
      `${int(st.readyReplicas)}/${int(spec.replicas)}`,
      String(int(st.updatedReplicas)),
      String(int(st.availableReplicas)),
      ageOf(o, now),
      ...containerCells(obj(spec.template).spec),
      selectorString(spec.selector),
    ];
  },
};

export const replicasets: KindTable = {
  columns: [
    nameCol,
    col('Desired', doc('extensions/v1beta1', 'ReplicaSetSpec', 'replicas'), { type: 'integer', cell: 'integer' }),
    col('Current', doc('extensions/v1beta1', 'ReplicaSetStatus', 'replicas'), { type: 'integer', cell: 'integer' }),
    col('Ready', doc('extensions/v1beta1', 'ReplicaSetStatus', 'readyReplicas'), { type: 'integer', cell: 'integer' }),
    ageCol,
    ...wideCols,
    col('Selector', doc('extensions/v1beta1', 'ReplicaSetSpec', 'selector'), { priority: 1 }),
  ],
  cells: (o, now) => {
    const spec = obj(o.spec);
    const st = obj(o.status);
    return [
      str(o.metadata.name),
      String(int(spec.replicas)),
      String(int(st.replicas)),
      String(int(st.readyReplicas)),
      ageOf(o, now),
      ...containerCells(obj(spec.template).spec),
      formatLabelSelector(spec.selector),
    ];
  },
};

export const statefulsets: KindTable = {
  columns: [nameCol, col('Ready', 'Number of the pod with ready state'), ageCol, ...wideCols],
  cells: (o, now) => {
    const spec = obj(o.spec);
    return [
      str(o.metadata.name),
      `${int(obj(o.status).readyReplicas)}/${int(spec.replicas)}`,
      ageOf(o, now),
      ...containerCells(obj(spec.template).spec),
    ];
  },
};

export const daemonsets: KindTable = {
  columns: [
    nameCol,
    col('Desired', doc('extensions/v1beta1', 'DaemonSetStatus', 'desiredNumberScheduled'), { type: 'integer', cell: 'integer' }),
    col('Current', doc('extensions/v1beta1', 'DaemonSetStatus', 'currentNumberScheduled'), { type: 'integer', cell: 'integer' }),
    col('Ready', doc('extensions/v1beta1', 'DaemonSetStatus', 'numberReady'), { type: 'integer', cell: 'integer' }),
    col('Up-to-date', doc('extensions/v1beta1', 'DaemonSetStatus', 'updatedNumberScheduled'), { type: 'integer', cell: 'integer' }),
    col('Available', doc('extensions/v1beta1', 'DaemonSetStatus', 'numberAvailable'), { type: 'integer', cell: 'integer' }),
    col('Node Selector', doc('core/v1', 'PodSpec', 'nodeSelector')),
    ageCol,
    ...wideCols,
    col('Selector', doc('extensions/v1beta1', 'DaemonSetSpec', 'selector'), { priority: 1 }),
  ],
  cells: (o, now) => {
    const spec = obj(o.spec);
    const st = obj(o.status);
    const podSpec = obj(obj(spec.template).spec);
    return [
      str(o.metadata.name),
      String(int(st.desiredNumberScheduled)),
      String(int(st.currentNumberScheduled)),
      String(int(st.numberReady)),
      String(int(st.updatedNumberScheduled)),
      String(int(st.numberAvailable)),
      formatLabels(podSpec.nodeSelector),
      ageOf(o, now),
      ...containerCells(podSpec),
      formatLabelSelector(spec.selector),
    ];
  },
};

export const replicationcontrollers: KindTable = {
  columns: [
    nameCol,
    col('Desired', doc('core/v1', 'ReplicationControllerSpec', 'replicas'), { type: 'integer', cell: 'integer' }),
    col('Current', doc('core/v1', 'ReplicationControllerStatus', 'replicas'), { type: 'integer', cell: 'integer' }),
    col('Ready', doc('core/v1', 'ReplicationControllerStatus', 'readyReplicas'), { type: 'integer', cell: 'integer' }),
    ageCol,
    ...wideCols,
    col('Selector', doc('core/v1', 'ReplicationControllerSpec', 'selector'), { priority: 1 }),
  ],
  cells: (o, now) => {
    const spec = obj(o.spec);
    const st = obj(o.status);
    return [
      str(o.metadata.name),
      String(spec.replicas === undefined ? 1 : int(spec.replicas)),
      String(int(st.replicas)),
      String(int(st.readyReplicas)),
      ageOf(o, now),
      ...containerCells(obj(spec.template).spec),
      formatLabels(spec.selector),
    ];
  },
};

/** autoscaling/v1 Scale (`get --subresource=scale`): printScale's NAME (no "name" format), DESIRED, AVAILABLE, AGE. */
export const scales: KindTable = {
  columns: [
    { ...nameCol, isName: undefined },
    col('Desired', doc('autoscaling/v1', 'ScaleSpec', 'replicas'), { type: 'integer', cell: 'integer' }),
    col('Available', doc('autoscaling/v1', 'ScaleStatus', 'replicas'), { type: 'integer', cell: 'integer' }),
    ageCol,
  ],
  cells: (o, now) => [str(o.metadata.name), String(int(obj(o.spec).replicas)), String(int(obj(o.status).replicas)), ageOf(o, now)],
};

/** printPodTemplate: the template's containers, images and labels (no Age). */
export const podtemplates: KindTable = {
  columns: [nameCol, col('Containers', CONTAINERS_DOC), col('Images', IMAGES_DOC), col('Pod Labels', 'The labels for the pod template.')],
  cells: (o) => {
    const template = obj(o.template);
    return [str(o.metadata.name), ...containerCells(template.spec), formatLabels(obj(template.metadata).labels)];
  },
};

/** printControllerRevision: the controller as group-qualified kind/name (formatResourceName), the revision an int64. */
export const controllerrevisions: KindTable = {
  columns: [
    nameCol,
    col('Controller', 'Controller of the object'),
    col('Revision', doc('apps/v1beta1', 'ControllerRevision', 'revision'), { cell: 'integer' }),
    ageCol,
  ],
  cells: (o, now) => {
    const ref = arr(o.metadata.ownerReferences).find((r) => r?.controller === true);
    let controller = '<none>';
    if (ref) {
      const apiVersion = str(ref.apiVersion);
      const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
      controller = `${(group ? `${str(ref.kind)}.${group}` : str(ref.kind)).toLowerCase()}/${str(ref.name)}`;
    }
    return [str(o.metadata.name), controller, String(int(o.revision)), ageOf(o, now)];
  },
};
