// Deployments, ReplicaSets, StatefulSets, DaemonSets, ReplicationControllers.
import { col, nameCol, type KindTable } from './types';
import { ageOf, containerCells, formatLabels, formatLabelSelector, int, obj, selectorString, str } from './util';

const wideCols = [col('Containers', 1), col('Images', 1)];

export const deployments: KindTable = {
  columns: [nameCol, col('Ready'), col('Up-to-date'), col('Available'), col('Age'), ...wideCols, col('Selector', 1)],
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
  columns: [nameCol, col('Desired'), col('Current'), col('Ready'), col('Age'), ...wideCols, col('Selector', 1)],
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
  columns: [nameCol, col('Ready'), col('Age'), ...wideCols],
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
    col('Desired'),
    col('Current'),
    col('Ready'),
    col('Up-to-date'),
    col('Available'),
    col('Node Selector'),
    col('Age'),
    ...wideCols,
    col('Selector', 1),
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
  columns: [nameCol, col('Desired'), col('Current'), col('Ready'), col('Age'), ...wideCols, col('Selector', 1)],
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

/** autoscaling/v1 Scale (`get --subresource=scale`): printScale's NAME, DESIRED, AVAILABLE. */
export const scales: KindTable = {
  columns: [nameCol, col('Desired'), col('Available')],
  cells: (o) => [str(o.metadata.name), String(int(obj(o.spec).replicas)), String(int(obj(o.status).replicas))],
};
