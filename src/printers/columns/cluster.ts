// Nodes, Namespaces, ConfigMaps, Secrets, ServiceAccounts, Leases, PriorityClasses.
import { goSelector } from '../../api/selectors';
import { doc } from './docs';
import { ageCol, col, nameCol, type KindTable } from './types';
import { ageOf, arr, byteCompare, goBool, int, obj, str } from './util';

export const nodes: KindTable = {
  columns: [
    nameCol,
    col('Status', 'The status of the node'),
    col('Roles', 'The roles of the node'),
    ageCol,
    col('Version', doc('core/v1', 'NodeSystemInfo', 'kubeletVersion')),
    col('Internal-IP', doc('core/v1', 'NodeStatus', 'addresses'), { priority: 1 }),
    col('External-IP', doc('core/v1', 'NodeStatus', 'addresses'), { priority: 1 }),
    col('OS-Image', doc('core/v1', 'NodeSystemInfo', 'osImage'), { priority: 1 }),
    col('Kernel-Version', doc('core/v1', 'NodeSystemInfo', 'kernelVersion'), { priority: 1 }),
    col('Container-Runtime', doc('core/v1', 'NodeSystemInfo', 'containerRuntimeVersion'), { priority: 1 }),
  ],
  cells: (o, now) => {
    const st = obj(o.status);
    const info = obj(st.nodeInfo);
    const conds = arr(st.conditions);
    // Last condition of a type wins, like the Go map built from the list.
    const ready = conds.filter((c) => c?.type === 'Ready').pop();
    const status: string[] = [];
    if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
    if (status.length === 0) status.push('Unknown');
    if (obj(o.spec).unschedulable === true) status.push('SchedulingDisabled');
    const roles = new Set<string>();
    for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
      if (k.startsWith('node-role.kubernetes.io/')) {
        const role = k.slice('node-role.kubernetes.io/'.length);
        if (role.length > 0) roles.add(role);
      } else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
    }
    const addr = (type: string): string => str(arr(st.addresses).find((a) => a?.type === type)?.address) || '<none>';
    return [
      str(o.metadata.name),
      status.join(','),
      [...roles].sort(byteCompare).join(',') || '<none>',
      ageOf(o, now),
      str(info.kubeletVersion),
      addr('InternalIP'),
      addr('ExternalIP'),
      str(info.osImage) || '<unknown>',
      str(info.kernelVersion) || '<unknown>',
      str(info.containerRuntimeVersion) || '<unknown>',
    ];
  },
};

export const namespaces: KindTable = {
  columns: [nameCol, col('Status', 'The status of the namespace'), ageCol],
  cells: (o, now) => [str(o.metadata.name), str(obj(o.status).phase), ageOf(o, now)],
};

const count = (m: unknown): number => Object.keys(obj(m)).length;

export const configmaps: KindTable = {
  columns: [nameCol, col('Data', doc('core/v1', 'ConfigMap', 'data'), { cell: 'integer' }), ageCol],
  cells: (o, now) => [str(o.metadata.name), String(count(o.data) + count(o.binaryData)), ageOf(o, now)],
};

export const secrets: KindTable = {
  columns: [nameCol, col('Type', doc('core/v1', 'Secret', 'type')), col('Data', doc('core/v1', 'Secret', 'data'), { cell: 'integer' }), ageCol],
  cells: (o, now) => [str(o.metadata.name), str(o.type), String(count(o.data)), ageOf(o, now)],
};

export const serviceaccounts: KindTable = {
  columns: [nameCol, col('Secrets', doc('core/v1', 'ServiceAccount', 'secrets'), { cell: 'integer' }), ageCol],
  cells: (o, now) => [str(o.metadata.name), String(arr(o.secrets).length), ageOf(o, now)],
};

export const leases: KindTable = {
  columns: [nameCol, col('Holder', doc('coordination/v1', 'LeaseSpec', 'holderIdentity')), ageCol],
  cells: (o, now) => [str(o.metadata.name), str(obj(o.spec).holderIdentity), ageOf(o, now)],
};

export const priorityclasses: KindTable = {
  columns: [
    nameCol,
    col('Value', doc('scheduling/v1', 'PriorityClass', 'value'), { type: 'integer', cell: 'integer' }),
    col('Global-Default', doc('scheduling/v1', 'PriorityClass', 'globalDefault'), { type: 'boolean', cell: 'boolean' }),
    ageCol,
    col('PreemptionPolicy', doc('scheduling/v1', 'PriorityClass', 'preemptionPolicy'), { priority: 1 }),
  ],
  cells: (o, now) => [str(o.metadata.name), String(int(o.value)), goBool(o.globalDefault), ageOf(o, now), str(o.preemptionPolicy)],
};

export const runtimeclasses: KindTable = {
  columns: [nameCol, col('Handler', doc('meta/v1', 'ObjectMeta', 'handler')), ageCol],
  cells: (o, now) => [str(o.metadata.name), str(o.handler), ageOf(o, now)],
};

const webhookTable: KindTable = {
  columns: [nameCol, col('Webhooks', 'Webhooks indicates the number of webhooks registered in this configuration', { type: 'integer', cell: 'integer' }), ageCol],
  cells: (o, now) => [str(o.metadata.name), String(arr(o.webhooks).length), ageOf(o, now)],
};
export const mutatingwebhookconfigurations = webhookTable;
export const validatingwebhookconfigurations = webhookTable;

/** printValidatingAdmissionPolicy: the number of validations, the paramKind as apiVersion/kind. */
export const validatingadmissionpolicies: KindTable = {
  columns: [
    nameCol,
    col('Validations', 'Validations indicates the number of validation rules defined in this configuration', { type: 'integer', cell: 'integer' }),
    col('ParamKind', 'ParamKind specifies the kind of resources used to parameterize this policy'),
    ageCol,
  ],
  cells: (o, now) => {
    const spec = obj(o.spec);
    const kind = spec.paramKind ? `${str(obj(spec.paramKind).apiVersion)}/${str(obj(spec.paramKind).kind)}` : '<unset>';
    return [str(o.metadata.name), String(arr(spec.validations).length), kind, ageOf(o, now)];
  },
};

/** printValidatingAdmissionPolicyBinding: the paramRef as namespace/name (`*` for no namespace), or its selector as Go prints it. */
export const validatingadmissionpolicybindings: KindTable = {
  columns: [
    nameCol,
    col('PolicyName', 'PolicyName indicates the policy definition which the policy binding binded to'),
    col('ParamRef', 'ParamRef indicates the param resource which sets the configration param'),
    ageCol,
  ],
  cells: (o, now) => {
    const spec = obj(o.spec);
    const ref = spec.paramRef ? obj(spec.paramRef) : undefined;
    const param = !ref ? '<unset>' : str(ref.name) ? `${str(ref.namespace) || '*'}/${str(ref.name)}` : ref.selector ? goSelector(ref.selector) : '<unset>';
    return [str(o.metadata.name), str(spec.policyName), param, ageOf(o, now)];
  },
};

/** kube-aggregator's apiservice table: the backing Service (`Local` for none) and the Available condition. */
export const apiservices: KindTable = {
  columns: [nameCol, col('Service', 'The reference to the service that hosts this API endpoint.'), col('Available', 'Whether this service is available.'), ageCol],
  cells: (o, now) => {
    const svc = obj(obj(o.spec).service);
    const cond = arr(obj(o.status).conditions).map(obj).find((c) => c.type === 'Available');
    const status = !cond ? 'Unknown' : cond.status !== 'True' && str(cond.reason) ? `${str(cond.status)} (${str(cond.reason)})` : str(cond.status);
    return [str(o.metadata.name), o.spec?.service ? `${str(svc.namespace)}/${str(svc.name)}` : 'Local', status, ageOf(o, now)];
  },
};
