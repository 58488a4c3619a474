// Pieces of the GET filter forms above the lists (Tasks, Email Log, Campaigns).

/** A labelled select whose empty first option means "no filter". */
export function FilterSelect({
  id,
  label,
  name,
  value,
  anyLabel,
  options,
}: {
  id: string;
  label: string;
  name: string;
  value: string;
  anyLabel: string;
  options: readonly { value: string; label: string }[];
}) {
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue={value}>
        <option value="">{anyLabel}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The "Campaign" filter: every campaign of the team, or one. */
export function CampaignFilter({
  id,
  value,
  campaigns,
}: {
  id: string;
  value: string;
  campaigns: readonly { id: string; name: string }[];
}) {
  return (
    <FilterSelect
      id={id}
      label="Campaign"
      name="campaignId"
      value={value}
      anyLabel="Every campaign"
      options={campaigns.map((c) => ({ value: c.id, label: c.name }))}
    />
  );
}

/** Each job's stages as an <optgroup>; jobs without stages are left out. */
export function JobStageOptions({
  jobs,
}: {
  jobs: readonly { id: string; title: string; stages: readonly string[] }[];
}) {
  return jobs
    .filter((j) => j.stages.length > 0)
    .map((j) => (
      <optgroup key={j.id} label={j.title}>
        {j.stages.map((s) => (
          <option key={`${j.id}-${s}`} value={s}>
            {s}
          </option>
        ))}
      </optgroup>
    ));
}
