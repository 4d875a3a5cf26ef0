import { Badge, Button, Group, Table, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { Me } from "../../api/types";
import { ErrorAlert } from "../../app/ErrorAlert";
import { formatDateTime } from "../../app/format";
import { apiFieldErrors, required } from "../../app/forms";
import { meQueryKey } from "../auth/api";
import { AccountSection } from "./AccountSection";
import { updateMe } from "./api";

const DISPLAY_NAME_MAX = 100;

/** Who the user is to Violet: email, name (editable), groups and effective permissions. */
export function ProfileSection({ me }: { me: Me }) {
  return (
    <AccountSection id="profile" title="Profile">
      <Table variant="vertical" layout="fixed" withTableBorder aria-label="Profile">
        <Table.Tbody>
          <Row label="Email" testId="profile-email">
            {me.email}
          </Row>
          <Row label="Groups" testId="profile-groups">
            {me.groups.length > 0 ? me.groups.map((group) => group.name).join(", ") : "None"}
          </Row>
          <Row label="Permissions" testId="profile-permissions">
            {me.permissions.length > 0 ? (
              <Group gap={4}>
                {me.permissions.map((code) => (
                  <Badge key={code} variant="light" tt="none">
                    {code}
                  </Badge>
                ))}
              </Group>
            ) : (
              "None: ask an administrator to add you to a group."
            )}
          </Row>
          <Row label="Member since">{formatDateTime(me.created_at)}</Row>
          <Row label="Last sign-in">{formatDateTime(me.last_login_at)}</Row>
        </Table.Tbody>
      </Table>
      <DisplayNameForm me={me} />
    </AccountSection>
  );
}

function Row({ label, testId, children }: { label: string; testId?: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th scope="row" w={160}>
        {label}
      </Table.Th>
      <Table.Td data-testid={testId}>{children}</Table.Td>
    </Table.Tr>
  );
}

function DisplayNameForm({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { display_name: me.display_name },
    // Said while typing: an empty name is the one thing the API would refuse here.
    validateInputOnChange: true,
    validate: { display_name: required("Enter a display name: it cannot be empty.") },
  });
  const mutation = useMutation({
    mutationFn: ({ display_name }: typeof form.values) =>
      updateMe({ display_name: display_name.trim() }),
    // The answer is the new Me: the header and home greet the new name at once.
    onSuccess: (updated) => queryClient.setQueryData(meQueryKey, updated),
    onError: (error) => form.setErrors(apiFieldErrors(error)),
  });

  const unchanged = form.values.display_name.trim() === me.display_name;

  return (
    <form
      onSubmit={form.onSubmit((values) => mutation.mutate(values))}
      aria-label="Change display name"
      noValidate
    >
      <Group align="flex-end" wrap="wrap">
        <TextInput
          label="Display name"
          description="How Violet names you to others."
          autoComplete="name"
          required
          maxLength={DISPLAY_NAME_MAX}
          {...form.getInputProps("display_name")}
          onChange={(event) => {
            form.getInputProps("display_name").onChange(event);
            mutation.reset();
          }}
          style={{ flex: "1 1 16rem" }}
        />
        <Button type="submit" loading={mutation.isPending} disabled={unchanged}>
          Save name
        </Button>
      </Group>
      {mutation.isSuccess && (
        <Text size="sm" c="green" mt="xs" role="status">
          Display name saved.
        </Text>
      )}
      {mutation.error && (
        <ErrorAlert title="Could not save the display name" error={mutation.error} />
      )}
    </form>
  );
}
