import { Center, Paper, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";

/** The centred card the anonymous pages (sign-in, accept invitation) share. */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        <Stack gap="xs" mb="lg">
          <Text c="violet.7" fw={700} size="sm" tt="uppercase">
            Violet
          </Text>
          <Title order={1} size="h2">
            {title}
          </Title>
        </Stack>
        {children}
      </Paper>
    </Center>
  );
}
