import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { handleEbayAccountDeletion } from "../webhooks/ebay-account-deletion.server";

/** GET (challenge) and POST (signed notification) /webhooks/ebay/account-deletion/:connectionId. */
export const loader = ({ request, params }: LoaderFunctionArgs) => handleEbayAccountDeletion(request, params.connectionId ?? "");
export const action = ({ request, params }: ActionFunctionArgs) => handleEbayAccountDeletion(request, params.connectionId ?? "");
