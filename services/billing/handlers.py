"""Billing's event consumers, all batch-shaped and typed: estates (with their default fee items), units and
who lives in them, move-ins, one-off fees and paid services (charge lines of completed work orders), procedures
closed and deposits settled (for refunds)."""

from services.billing.commands import deposits, directory

HANDLERS = {
    "intake.estate.registered": directory.register_estates,
    # One handler for what changes units, so that a batch applies them in arrival order.
    "intake.unit.registered": directory.project_directory,
    "intake.unit.updated": directory.project_directory,
    "intake.directory.imported": directory.project_directory,
    "intake.resident.registered": directory.project_directory,
    "intake.resident.moved_out": directory.project_directory,
    "intake.procedure.completed": directory.project_completed_procedures,
    "intake.procedure.cancelled": deposits.project_closures,
    "intake.procedure.deposit_settled": deposits.project_closures,
    "intake.procedure.fee_requested": directory.bill_procedure_fees,
    "dispatch.workorder.completed": directory.bill_paid_services,
}
