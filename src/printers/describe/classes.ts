// StorageClass (storage.k8s.io/v1) and PriorityClass (scheduling.k8s.io/v1) describers, as
// kubectl's describe.go writes them: labels.FormatLabels for their maps, one line each.
import type { KObject } from '../../api/types';
import { LEVEL_0, LEVEL_1, PrefixWriter } from './prefix-writer';
import { formatLabels, printBoolPtr, str } from './format';
import { describeEvents } from './events';
import type { DescribeContext } from './context';

/** storageutil.IsDefaultAnnotationText. */
function isDefaultText(annotations: Record<string, string> | undefined): string {
  const a = annotations ?? {};
  return a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true' ? 'Yes' : 'No';
}

export function describeStorageClass(sc: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  w.write(LEVEL_0, `Name:\t${str(sc.metadata.name)}\n`);
  w.write(LEVEL_0, `IsDefaultClass:\t${isDefaultText(sc.metadata.annotations)}\n`);
  w.write(LEVEL_0, `Annotations:\t${formatLabels(sc.metadata.annotations)}\n`);
  w.write(LEVEL_0, `Provisioner:\t${str(sc.provisioner)}\n`);
  w.write(LEVEL_0, `Parameters:\t${formatLabels(sc.parameters)}\n`);
  w.write(LEVEL_0, `AllowVolumeExpansion:\t${printBoolPtr(sc.allowVolumeExpansion)}\n`);
  const options: unknown[] = Array.isArray(sc.mountOptions) ? sc.mountOptions : [];
  if (!options.length) w.write(LEVEL_0, 'MountOptions:\t<none>\n');
  else {
    w.write(LEVEL_0, 'MountOptions:\n');
    for (const o of options) w.write(LEVEL_1, `${str(o)}\n`);
  }
  if (sc.reclaimPolicy !== undefined && sc.reclaimPolicy !== null) w.write(LEVEL_0, `ReclaimPolicy:\t${str(sc.reclaimPolicy)}\n`);
  if (sc.volumeBindingMode !== undefined && sc.volumeBindingMode !== null) w.write(LEVEL_0, `VolumeBindingMode:\t${str(sc.volumeBindingMode)}\n`);
  if (Array.isArray(sc.allowedTopologies)) {
    // printAllowedTopologies
    w.write(LEVEL_0, 'AllowedTopologies:\t');
    if (!sc.allowedTopologies.length) w.writeLine('<none>');
    else {
      w.writeLine('');
      sc.allowedTopologies.forEach((term: any, i: number) => {
        w.write(LEVEL_1, `Term ${i}:\t`);
        const reqs: any[] = term?.matchLabelExpressions ?? [];
        if (!reqs.length) w.writeLine('<none>');
        reqs.forEach((r, j) => {
          if (j !== 0) w.write(LEVEL_1, '\t');
          const values: string[] = r?.values ?? [];
          w.write(LEVEL_0, `${str(r?.key)} in${values.length ? ` [${values.join(', ')}]` : ''}\n`);
        });
      });
    }
  }
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}

export function describePriorityClass(pc: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  w.write(LEVEL_0, `Name:\t${str(pc.metadata.name)}\n`);
  w.write(LEVEL_0, `Value:\t${Number(pc.value ?? 0)}\n`);
  w.write(LEVEL_0, `GlobalDefault:\t${pc.globalDefault === true}\n`);
  w.write(LEVEL_0, `PreemptionPolicy:\t${str(pc.preemptionPolicy)}\n`);
  w.write(LEVEL_0, `Description:\t${str(pc.description)}\n`);
  w.write(LEVEL_0, `Annotations:\t${formatLabels(pc.metadata.annotations)}\n`);
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}
