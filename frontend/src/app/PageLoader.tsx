import { Center, Loader } from "@mantine/core";

/** Shown while a lazily loaded page's code arrives. */
export function PageLoader() {
  return (
    <Center py="xl">
      <Loader aria-label="Loading" />
    </Center>
  );
}
