// Department names from the catalogue, fetched once per page load.
import { reactive } from "vue";
import { catalogue } from "./api";

export const departmentNames = reactive<Record<string, string>>({});
let asked = false;

export function loadDepartments(): void {
  if (asked) return;
  asked = true;
  catalogue.listDepartments({}).then((r) => {
    for (const d of r.departments) departmentNames[d.code] = d.name;
  }).catch(() => { asked = false; });
}

export const deptName = (code: string) => departmentNames[code] ?? code;
